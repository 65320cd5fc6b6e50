import type { Logger } from '../../core/ports.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { topicLayout } from '../../protocol/topics.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { PublishLatency } from '../mqtt/publish-latency.ts';
import { LatencyTracker } from '../mqtt/latency-tracker.ts';
import { createMqttConnector } from '../mqtt/mqtt-connector.ts';
import type { BrokerTarget } from '../mqtt/broker-target.ts';
import type { SimTime } from '../clock/sim-time.ts';
import type { FleetPlan } from '../fleet/fleet-plan.ts';
import { enrolFleet } from '../fleet/fleet-enrolment.ts';
import { createFleetRuntime, type FleetRuntime } from '../fleet/fleet-runtime.ts';
import { trackConnectorIo } from '../fleet/track-io.ts';
import { CapturePlayer } from './capture-player.ts';
import type { ReplaySetup } from './replay-entries.ts';
import { replaySimTime } from './replay-time.ts';
import { withReplay } from './with-replay.ts';

/**
 * Where a run with replay entries runs its fleet: in this process, always. The player must read
 * the capture and follow the run's own clock, and the fleet process carries only planned
 * trackers; keeping both here means one clock and one I/O count for all devices. (A fleet large
 * enough to want a process of its own can be replayed in a run of its own.)
 */
export function placeReplayRun(input: { scenario: Scenario; plan: FleetPlan; replays: ReplaySetup; wallNowMs: () => number }): {
  time: SimTime;
  createRuntime(deps: { directory: DeviceDirectory; store: RunStore; publishLatency: PublishLatency; logger: Logger }): FleetRuntime;
} {
  const { scenario, plan, replays, wallNowMs } = input;
  const { time, startClock } = replaySimTime(scenario.time, replays.calendarStartS * 1000, wallNowMs);
  return {
    time,
    createRuntime({ directory, store, publishLatency, logger }) {
      const fleet = createFleetRuntime({
        scenario, clock: time.clock, enrolment: enrolFleet({ plan, directory, store }), publishLatency, logger, io: time.io, plan, wallNowMs,
      });
      let target: BrokerTarget = { url: '' };
      const player = new CapturePlayer(replays.sources, {
        clock: time.clock,
        io: time.io,
        connector: trackConnectorIo(createMqttConnector({ target: () => target }), time.io),
        directory,
        store,
        topics: topicLayout(scenario.topics),
        sent: new LatencyTracker(wallNowMs),
        publishLatency,
        logger,
      });
      const both = withReplay(fleet, player, startClock);
      return {
        ...both,
        useBroker(to) {
          target = to;
          both.useBroker(to);
        },
      };
    },
  };
}
