import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { BrokerOutage } from '../../backend/broker/embedded-broker.ts';
import type { TimelineEventReport } from '../../reports/verdicts.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { SimTime } from '../clock/sim-time.ts';
import type { FleetRuntime } from '../fleet/fleet-runtime.ts';
import { planTimeline, type PlannedEvent, type TimelinePlan } from './plan-timeline.ts';
import { describeEvent } from './describe-event.ts';

export interface RunningTimeline {
  /** Each event as it ran, in time order, for the report. */
  report(): TimelineEventReport[];
}

/**
 * Refuses, before anything starts, a timeline this run cannot carry out: a broker restart on a
 * team's broker (`--broker`; `broker.url` the schema refuses already), device events in a run
 * whose fleet cannot take them.
 */
export function refuseTimeline(scenario: Scenario, source: string, run: { externalBrokerUrl: string | undefined; replays: boolean }): void {
  for (const [i, event] of scenario.timeline.entries()) {
    if (event.event === 'broker.restart' && run.externalBrokerUrl !== undefined) {
      throw new PinbenchError('SCENARIO_INVALID', `${source}: timeline[${i}].event: broker.restart restarts the embedded broker, and ${run.externalBrokerUrl} is your own: restart your broker yourself, or run without --broker`);
    }
    if (event.event.startsWith('devices.') || event.event === 'network.partition') {
      if (run.replays) throw new PinbenchError('SCENARIO_INVALID', `${source}: timeline[${i}].event: ${event.event} is not carried out in a run with replay: entries yet; run the timeline without them`);
    }
  }
}

/**
 * Schedules the timeline on the run's simulated time, before the fleet starts: device events go
 * to the fleet (which runs them on its trackers' clock, in this process or its own), a broker
 * restart takes the embedded broker down and up at barriers (after the I/O before it settled),
 * its work tracked so the discrete clock waits for it.
 */
export function startTimeline(input: {
  scenario: Scenario;
  source: string;
  startMs: number;
  time: SimTime;
  fleet: FleetRuntime;
  brokerOutage: BrokerOutage | undefined;
  logger: Logger;
}): RunningTimeline | undefined {
  const { scenario, time, fleet, logger } = input;
  if (scenario.timeline.length === 0) return undefined;
  const plan: TimelinePlan = planTimeline({
    timeline: scenario.timeline, startMs: input.startMs, deviceIds: fleet.specs.map((s) => s.id), seed: scenario.seed, source: input.source,
  });
  if (plan.interventions.length > 0) fleet.intervene?.(plan.interventions);
  const brokerOutcomes = new Map<number, { dropped?: number; error?: string; up?: boolean }>();
  const { clock, io } = time;
  for (const restart of plan.brokerRestarts) {
    const outcome: { dropped?: number; error?: string; up?: boolean } = {};
    brokerOutcomes.set(restart.index, outcome);
    const outage = input.brokerOutage;
    if (outage === undefined) {
      outcome.error = 'no embedded broker to restart';
      continue;
    }
    let down: Promise<unknown> = Promise.resolve();
    time.scheduleBarrier(restart.atMs - clock.nowMs(), () => {
      logger.info(`timeline: broker down for ${restart.downMs / 1000} s`);
      down = io.track(
        outage.takeDown().then(
          (dropped) => void (outcome.dropped = dropped),
          (error: unknown) => void (outcome.error = `going down failed: ${(error as Error).message}`),
        ),
      );
    });
    time.scheduleBarrier(restart.atMs + restart.downMs - clock.nowMs(), () => {
      io.track(
        down
          .then(() => outage.bringUp())
          .then(
            () => {
              outcome.up = true;
              logger.info('timeline: broker up again');
            },
            (error: unknown) => {
              outcome.error = `coming back failed: ${(error as Error).message}`;
              logger.warn(`timeline: the broker did not come back: ${(error as Error).message}`);
            },
          ),
      );
    });
    // A slice boundary 1 ms later, when the devices' connects may succeed again: it waits for
    // the listeners to be up, so no connect races them (plan-timeline.ts).
    time.scheduleBarrier(restart.atMs + restart.downMs + 1 - clock.nowMs(), () => undefined);
  }
  return {
    report: () => plan.events.map((event: PlannedEvent) => describeEvent(event, fleet.interventionOutcomes?.() ?? new Map(), brokerOutcomes.get(event.index))),
  };
}
