import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario, type Scenario } from '../../scenarios/index.ts';

/** adversaries.yaml with every group scaled so the fleet has about `devices` trackers; `more` is merged into the raw scenario (e.g. a policy). */
export function scaledAdversaries(devices: number, more: Record<string, unknown> = {}): Scenario {
  const base = loadScenarioFile(fileURLToPath(new URL('../../scenarios/adversaries.yaml', import.meta.url)));
  const groups = base.fleet as Array<{ count: number; adversary?: { name: string; clones?: number } }>;
  const size = groups.reduce((n, g) => n + g.count * (g.adversary?.name === 'sybil' ? 1 + (g.adversary.clones ?? 0) : 1), 0);
  const factor = devices / size;
  const raw = {
    name: `adversaries-x${factor.toFixed(0)}`, seed: base.seed, area: 'berlin',
    fleet: groups.map((g) => ({ ...g, count: Math.max(1, Math.round(g.count * factor)) })),
    epochs: base.epochs, time: { mode: 'accelerated' }, circuit: base.circuit,
    ...more,
  };
  return parseScenario(raw, '(object)');
}
