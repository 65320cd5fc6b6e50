import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { BrokerOutage } from '../../backend/broker/embedded-broker.ts';
import type { TimelineEventReport } from '../../reports/verdicts.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { SimTime } from '../clock/sim-time.ts';
import type { FleetRuntime } from '../fleet/fleet-runtime.ts';
import type { ChainRestart } from '../chain/start-chain.ts';
import { planTimeline, type PlannedEvent, type TimelinePlan } from './plan-timeline.ts';
import { describeEvent, type ChainRestartOutcome } from './describe-event.ts';

export interface RunningTimeline {
  /** Each event as it ran, in time order, for the report. */
  report(): TimelineEventReport[];
  /** Resolves once no chain restart is under way (the run waits for it before it settles the last epochs). */
  chainSettled(): Promise<void>;
}

/**
 * Refuses, before anything starts, a timeline this run cannot carry out: a broker restart on a
 * team's broker (`--broker`; `broker.url` the schema refuses already), device events in a run
 * whose fleet cannot take them.
 */
export function refuseTimeline(scenario: Scenario, source: string, run: { externalBrokerUrl: string | undefined; externalRpcUrl: string | undefined; replays: boolean }): void {
  for (const [i, event] of scenario.timeline.entries()) {
    if (event.event === 'chain.restart' && run.externalRpcUrl !== undefined) {
      throw new PinbenchError('SCENARIO_INVALID', `${source}: timeline[${i}].event: chain.restart restarts the embedded anvil, and ${run.externalRpcUrl} is a chain this run did not start (--rpc, or a suite's shared chain): restart that node yourself, or run the scenario alone without --rpc`);
    }
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
  /** The embedded chain's restart (sim/chain/start-chain.ts); undefined on a chain the run did not start. */
  restartChain: ((how: ChainRestart) => Promise<{ backAfterMs: number }>) | undefined;
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
  const chain = scheduleChainRestarts(plan, input);
  return {
    report: () =>
      plan.events.map((event: PlannedEvent) =>
        describeEvent(event, fleet.interventionOutcomes?.() ?? new Map(), brokerOutcomes.get(event.index), chain.outcomes.get(event.index)),
      ),
    chainSettled: chain.settled,
  };
}

/**
 * A chain restart is fired at its barrier but not waited for there: the chain mines in real
 * time and the fleet goes on while it is down, as devices would; settlements in flight wait
 * in the transaction sender. The run waits for it only before it settles the last epochs.
 */
function scheduleChainRestarts(
  plan: TimelinePlan,
  input: { time: SimTime; restartChain: ((how: ChainRestart) => Promise<{ backAfterMs: number }>) | undefined; logger: Logger },
): { outcomes: Map<number, ChainRestartOutcome>; settled: () => Promise<void> } {
  const outcomes = new Map<number, ChainRestartOutcome>();
  const running: Array<Promise<void>> = [];
  for (const restart of plan.chainRestarts) {
    const outcome: ChainRestartOutcome = { kill: restart.kill };
    outcomes.set(restart.index, outcome);
    const { restartChain } = input;
    if (restartChain === undefined) {
      outcome.error = 'no embedded chain to restart';
      continue;
    }
    input.time.scheduleBarrier(restart.atMs - input.time.clock.nowMs(), () => {
      running.push(
        restartChain({ downMs: restart.downMs, kill: restart.kill }).then(
          ({ backAfterMs }) => void (outcome.backAfterMs = backAfterMs),
          (error: unknown) => {
            outcome.error = (error as Error).message;
            input.logger.warn(`timeline: the chain did not come back: ${(error as Error).message}`);
          },
        ),
      );
    });
  }
  return { outcomes, settled: async () => void (await Promise.all(running)) };
}
