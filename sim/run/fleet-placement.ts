import type { Logger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { PublishLatency } from '../mqtt/publish-latency.ts';
import { IoSettle, SLICE_IO_WAIT } from '../clock/io-settle.ts';
import { createRealtimeSimTime, createSimTime, DEFAULT_ACCELERATED_START, type SimTime } from '../clock/sim-time.ts';
import { checkCapacity } from '../perf/capacity.ts';
import { limitHeapGrowthFor } from '../perf/heap-growth.ts';
import type { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import { planFleet, scenarioDirOf, type FleetPlan } from '../fleet/fleet-plan.ts';
import { enrolFleet, type FleetEnrolment } from '../fleet/fleet-enrolment.ts';
import { createFleetRuntime, type FleetRuntime } from '../fleet/fleet-runtime.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import { FollowerClock } from '../fleet-process/follower-clock.ts';
import { FleetProcessHost, forkFleetProcess, type ChildHandle } from '../fleet-process/host.ts';
import { placeReplayRun } from '../replay/replay-placement.ts';
import type { ReplaySetup } from '../replay/replay-entries.ts';

export type FleetProcessMode = 'inline' | 'child' | 'auto';

/**
 * From this many connections on, `auto` puts the fleet in its own process even when one process
 * could hold both ends: at 1,000 trackers in accelerated time the split ran ~3,850 readings/s
 * against ~2,400/s in one process (two cores instead of one).
 */
export const AUTO_CHILD_CONNECTIONS = 500;

/** A fleet runtime that may also report the fleet process's memory. */
export type PlacedFleetRuntime = FleetRuntime & {
  /** Peak RSS of the fleet process, bytes (child placement only). */
  childPeakRssBytes?(): number;
  /** The fleet process's RSS now (child placement only; undefined once it exited). */
  childRssBytes?(): number | undefined;
};

export interface FleetSetup {
  readonly placement: 'inline' | 'child';
  readonly plan: FleetPlan;
  readonly time: SimTime;
  /**
   * After the chain is up: provisions the fleet in the backend's directory and returns the
   * fleet runtime (child placement: backed by the fleet process).
   */
  createRuntime(deps: RuntimeDeps): PlacedFleetRuntime;
}

/** What the fleet runtime is made with once the run's parts are up. */
export interface RuntimeDeps {
  /** The backend's directory the fleet is provisioned into; or instead… */
  directory?: DeviceDirectory;
  /** …the bench's own enrolment, when no backend of pinbench's knows the fleet (`--backend none`). */
  enrolment?: (plan: FleetPlan) => FleetEnrolment;
  store: RunStore;
  publishLatency: PublishLatency;
  ackLatency?: PublishLatency;
  connectLatency?: PublishLatency;
  logger: Logger;
}

function enrolmentOf(deps: RuntimeDeps, plan: FleetPlan): FleetEnrolment {
  if (deps.enrolment !== undefined) return deps.enrolment(plan);
  if (deps.directory === undefined) throw new Error('createRuntime: give a directory or an enrolment');
  return enrolFleet({ plan, directory: deps.directory, store: deps.store });
}

/** Where the fleet runs: `auto` picks a fleet process when one process cannot hold both ends of every connection, or from 2,000 connections. */
export function chooseFleetPlacement(mode: FleetProcessMode, connections: number, check: typeof checkCapacity = checkCapacity): 'inline' | 'child' {
  if (mode !== 'auto') return mode;
  if (connections >= AUTO_CHILD_CONNECTIONS) return 'child';
  try {
    check({ connections, bothEnds: true });
    return 'inline';
  } catch (error) {
    if (error instanceof PinbenchError && error.code === 'HOST_CAPACITY_EXCEEDED') return 'child';
    throw error;
  }
}

/**
 * Plans the fleet, decides where it runs, checks this process's capacity for that, and builds
 * the run's simulated time to match: inline, the usual SimTime; in a fleet process, the
 * process is forked now (it plans in parallel with the circuit and chain set-up) and, in
 * accelerated time, the run's clock follows the fleet's. `time.stop()` stops the process (killing it if it does not exit).
 */
export function prepareFleet(input: {
  scenario: Scenario;
  source: string;
  mode: FleetProcessMode;
  wallNowMs: () => number;
  logPath: string;
  /** The scenario's replay entries, opened: the fleet then runs in this process, from the captures' start (sim/replay/). */
  replays?: ReplaySetup;
  /** Tests pass a fake. */
  spawn?: (logPath: string) => ChildHandle;
}): FleetSetup {
  const { scenario, source, wallNowMs, logPath } = input;
  const accelerated = scenario.time.mode !== 'realtime';
  const { replays } = input;
  const startMs = replays !== undefined ? replays.calendarStartS * 1000 : accelerated ? Date.parse(scenario.time.startAt ?? DEFAULT_ACCELERATED_START) : wallNowMs();
  const scenarioDir = scenarioDirOf(source);
  // The fleet (route files included) is planned first: a bad input stops the run before anything starts.
  const plan = planFleet(scenario, { scenarioDir, startMs });
  const connections = plan.devices.length + (replays?.deviceCount ?? 0);
  const placement = replays !== undefined ? 'inline' : chooseFleetPlacement(input.mode, connections);
  // Fail now, with the limit and what to do, rather than with EMFILE halfway through the ramp.
  checkCapacity({ connections, bothEnds: placement === 'inline' });
  // The run holds the broker's end of every connection (and, inline, the devices' too).
  limitHeapGrowthFor(connections);

  if (replays !== undefined) return { placement: 'inline', plan, ...placeReplayRun({ scenario, plan, replays, wallNowMs }) };
  if (placement === 'inline') {
    const time = createSimTime(scenario.time, wallNowMs);
    return {
      placement,
      plan,
      time,
      createRuntime: (deps) =>
        createFleetRuntime({
          scenario, clock: time.clock, enrolment: enrolmentOf(deps, plan), publishLatency: deps.publishLatency, ackLatency: deps.ackLatency, connectLatency: deps.connectLatency, logger: deps.logger, io: time.io, plan, wallNowMs,
        }),
    };
  }

  const io = new IoSettle({ ...SLICE_IO_WAIT, wallNowMs });
  const follower = accelerated ? new FollowerClock(startMs, scenario.time.sliceMs) : undefined;
  const host = new FleetProcessHost({
    child: (input.spawn ?? forkFleetProcess)(logPath),
    scenario,
    scenarioDir,
    startMs,
    mode: accelerated ? 'accelerated' : 'realtime',
    io,
    follower,
    logPath,
  });
  const time: SimTime = follower
    ? {
        mode: 'accelerated',
        clock: follower,
        io,
        scheduleBarrier: (delayMs, fn) => void follower.scheduleBarrier(delayMs, fn),
        advanceTo: (endMs) => (host.leading() ? host.advance(endMs) : follower.runUntil(endMs, () => io.settled())),
        stop() {
          follower.stop();
          follower.cancelAll();
          host.shutdown();
        },
        timerLateness: () => undefined,
      }
    : realtimeFollowingHost(host, io, wallNowMs);
  return {
    placement,
    plan,
    time,
    createRuntime: (deps) =>
      host.runtime({ enrolment: enrolmentOf(deps, plan), logger: deps.logger, publishLatency: deps.publishLatency, ackLatency: deps.ackLatency, connectLatency: deps.connectLatency }),
  };
}

/** Realtime with the fleet elsewhere: both read the wall clock; a dead fleet process ends the wait. */
function realtimeFollowingHost(host: FleetProcessHost, io: IoSettle, wallNowMs: () => number): SimTime {
  return createRealtimeSimTime(io, wallNowMs, {
    abandon: () => (host.leading() ? host.failed() : new Promise<never>(() => undefined)),
    onStop: () => host.shutdown(),
    // Device timers run in the fleet process; their lateness is not measured here.
    measuresTimers: false,
  });
}
