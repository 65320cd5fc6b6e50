import { dirname, resolve } from 'node:path';
import {
  buildFleet,
  createBehaviour,
  createMotion,
  makeSybilClones,
  PacketArchive,
  readRouteFile,
  resolveArea,
  seededRandom,
  type DeviceBehaviour,
  type DeviceSpec,
  type Route,
} from '../../devices/index.ts';
import { isReplayEntry, type FleetGroup, type Scenario } from '../../scenarios/index.ts';

/** One device as the run sees it: its spec, which group it came from, and its behaviour. */
export interface PlannedDevice {
  spec: DeviceSpec;
  group: number;
  /** Report label: motion, then adversary or faults (`car`, `walk + flaky-network`, `car · gps-spoofing`). */
  profile: string;
  adversary: string | undefined;
  behaviour: DeviceBehaviour;
}

export interface FleetPlan {
  devices: PlannedDevice[];
  /** Shared by replay adversaries; filled from what the fleet publishes when one exists. */
  archive: PacketArchive | undefined;
}

export function profileLabel(group: FleetGroup): string {
  if (group.adversary) return `${group.motion} · ${group.adversary.name}`;
  if (group.faults.length > 0) return `${group.motion} + ${group.faults.map((f) => f.name).join(' + ')}`;
  return group.motion;
}

/**
 * Builds the scenario's devices group by group (indices continue across groups), with each
 * group's area, route, dropouts, faults and adversary; sybil clones are added after their
 * group with the cloned key. Everything is a function of the seed.
 */
export function planFleet(scenario: Scenario, options: { scenarioDir: string; startMs: number }): FleetPlan {
  const routes = new Map<string, Route>();
  const routeOf = (file: string) => {
    const path = resolve(options.scenarioDir, file);
    if (!routes.has(path)) routes.set(path, readRouteFile(path));
    return routes.get(path)!;
  };
  const archive = scenario.fleet.some((g) => !isReplayEntry(g) && g.adversary?.name === 'replay') ? new PacketArchive() : undefined;
  const groups: Array<{ group: FleetGroup; specs: DeviceSpec[]; index: number }> = [];
  let next = 0;
  scenario.fleet.forEach((group, index) => {
    // Replay entries bring their own devices (sim/replay/): nothing to plan.
    if (isReplayEntry(group)) return;
    const area = resolveArea(group.area ?? scenario.area, `fleet[${index}].area`);
    const specs = buildFleet({ seed: scenario.seed, count: group.count, uploadPeriodS: group.uploadPeriodS, motion: group.motion, area, firstIndex: next });
    next += specs.length;
    const adversary = group.adversary;
    if (adversary?.name === 'sybil') {
      for (const source of [...specs]) {
        specs.push(...makeSybilClones(specs, { seed: scenario.seed, sourceIndex: source.index, count: adversary.clones, firstIndex: next }));
        next += adversary.clones;
      }
    }
    groups.push({ group, specs, index });
  });
  const everyone = groups.flatMap((g) => g.specs);
  const devices: PlannedDevice[] = [];
  for (const { group, specs, index } of groups) {
    const route = group.route === undefined ? undefined : routeOf(group.route);
    for (const spec of specs) {
      const random = seededRandom(scenario.seed, 'behaviour', spec.index);
      const behaviour = createBehaviour({
        faults: group.faults,
        adversary: group.adversary,
        spec,
        random,
        archive,
        fleet: everyone,
        startMs: options.startMs,
      });
      const motion =
        behaviour.motion ??
        (route !== undefined || group.dropouts !== undefined
          ? createMotion({
              area: spec.area,
              profile: spec.motion,
              start: spec.start,
              startMs: options.startMs,
              random: seededRandom(scenario.seed, 'motion', spec.index),
              ...(route ? { route } : {}),
              ...(group.dropouts ? { dropouts: group.dropouts } : {}),
            })
          : undefined);
      devices.push({
        spec,
        group: index,
        profile: profileLabel(group),
        adversary: group.adversary?.name,
        behaviour: { ...behaviour, ...(motion ? { motion } : {}) },
      });
    }
  }
  return { devices, archive };
}

export function scenarioDirOf(source: string): string {
  return source === '(object)' ? process.cwd() : dirname(resolve(source));
}
