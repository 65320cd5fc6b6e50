import type { Logger } from '../../../core/ports.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import type { BackendBroker } from '../../../backend/start-backend.ts';
import type { EpochCalendar } from '../../../backend/epochs/calendar.ts';
import type { Ingest } from '../../../backend/ingest/ingest.ts';
import type { SimTime } from '../../clock/sim-time.ts';
import type { PlacedFleetRuntime } from '../fleet-placement.ts';
import { startPerfSampler, type PerfSummary } from '../../perf/sampler.ts';
import { perfProbes } from '../perf-probes.ts';
import type { Cleanups } from '../cleanups.ts';

/**
 * The run itself: starts the fleet, closes each epoch a grace period after its end, stops the
 * fleet at the end of the last epoch and waits for the last close. The machine is sampled every
 * second for the report's performance figures (the progress lines come from the run's sample
 * stream, sim/run/run-stream.ts).
 */
export async function driveFleet(input: {
  scenario: Scenario;
  time: SimTime;
  calendar: EpochCalendar;
  fleet: PlacedFleetRuntime;
  ingest: Ingest;
  broker: BackendBroker;
  closeEpoch: (epoch: number) => Promise<void>;
  /** Rejects when the run is interrupted; every wait races it. */
  interrupted: Promise<never>;
  /** Resolves when the run must stop early (an `abortOnFail` threshold failed): the fleet stops, epochs not yet due are left open. */
  stopEarly?: Promise<unknown>;
  cleanups: Cleanups;
  logger: Logger;
}): Promise<PerfSummary> {
  const { scenario, time, calendar, fleet, ingest, interrupted, cleanups, logger } = input;
  const { clock, io } = time;
  const perf = startPerfSampler({ intervalMs: 1000, probes: perfProbes({ fleet, ingest, broker: input.broker, clock }) });
  cleanups.push(() => void perf.stop());
  cleanups.push(() => fleet.stop());
  logger.info(
    `starting ${fleet.size} trackers; ${scenario.epochs.count} epochs of ${scenario.epochs.lengthS} s, ` +
      (time.mode === 'realtime' ? 'real time' : `accelerated (${scenario.time.speed === 'max' ? 'as fast as possible' : `${scenario.time.speed}×`}) from ${new Date(clock.nowMs()).toISOString()}`),
  );
  fleet.start();
  const closes: Array<Promise<void>> = [];
  const epochsClosed = new Promise<void>((resolveAll) => {
    for (let epoch = 0; epoch < calendar.count; epoch++) {
      const closeAtMs = calendar.endOfS(epoch) * 1000 + scenario.ingest.epochGraceMs;
      time.scheduleBarrier(closeAtMs - clock.nowMs(), () => {
        const closing = io.track(input.closeEpoch(epoch));
        closes.push(closing);
        if (epoch === calendar.count - 1) void closing.then(resolveAll);
      });
    }
  });
  const lastEndMs = calendar.endOfS(calendar.count - 1) * 1000;
  const early = Symbol('stop early');
  const reached = await Promise.race([time.advanceTo(lastEndMs), interrupted, ...(input.stopEarly === undefined ? [] : [input.stopEarly.then(() => early)])]);
  if (reached === early) {
    // Time stops where it is: the epochs already closing finish, the later ones stay open (their
    // readings stay in run.db, unsettled), and the run goes on to settle and report.
    time.stop();
    await fleet.stop();
    await Promise.race([Promise.all(closes), interrupted]);
    return perf.stop();
  }
  await fleet.stop();
  await Promise.race([time.advanceTo(lastEndMs + scenario.ingest.epochGraceMs), interrupted]);
  await Promise.race([epochsClosed, interrupted]);
  return perf.stop();
}
