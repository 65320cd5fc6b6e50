import type { MetricSummary, SweepMetricInfo, SweepResult, SweepSetResult } from '../../reports/sweep/sweep-result.ts';

/**
 * Hand-made sweeps (fakes, for the sweep page's tests): the shape `pinbench sweep` writes, with
 * figures made up from the parameters so every chart has a trend and a spread to draw.
 */

const fleetMetrics: SweepMetricInfo[] = [
  { name: 'emission', label: 'Emission', unit: 'tokens', description: 'Tokens minted over the run.' },
  { name: 'gini', label: 'Gini', unit: 'share', description: 'Gini coefficient of the devices\' total rewards.' },
  { name: 'top10Share', label: 'Top 10 % share', unit: 'share', description: 'Share paid to the best-paid tenth of the devices.' },
  { name: 'honestShare', label: 'Honest share', unit: 'share', description: 'Share paid to honest profiles.' },
  { name: 'costPerKm', label: 'Cost per verified km', unit: 'tokens/km', description: 'Tokens minted per verified kilometre.' },
  { name: 'viabilityShare', label: 'Under the viability line', unit: 'share', description: 'Share of honest devices under the viability line.' },
];
const HONEST = ['commuter', 'courier', 'parked'];
const ADVERSARY = ['teleporter', 'sybil', 'replayer'];

export const FAKE_METRICS: readonly SweepMetricInfo[] = [
  ...fleetMetrics,
  ...HONEST.map((p) => ({ name: `honestReward.${p}`, label: `Honest ${p}`, unit: 'tokens', description: `Mean tokens per honest ${p} device.` })),
  ...ADVERSARY.map((p) => ({ name: `adversaryReward.${p}`, label: `Adversary ${p}`, unit: 'tokens', description: `Tokens captured per ${p} device.` })),
];

/** Mean, sample sd, min and max of a list, as the sweep summarises its seeds. */
export function summary(values: readonly number[]): MetricSummary {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** A metric's value at a set's parameters for one seed: a trend in the parameters plus a seeded wobble. */
function fakeValue(metric: string, cap: number, emission: number, seed: number, metricIndex: number): number {
  const wobble = 1 + 0.08 * Math.sin(seed * 12.9898 + metricIndex * 78.233 + cap / 7 + emission / 300);
  const capEffect = Math.log2(cap / 25);
  switch (metric) {
    case 'emission': return emission * 30 * (0.995 + 0.004 * Math.sin(seed));
    case 'gini': return Math.min(0.9, (0.25 + 0.06 * capEffect) * wobble);
    case 'top10Share': return Math.min(0.95, (0.2 + 0.05 * capEffect) * wobble);
    // Highest at cap 100 and emission 2000, so the objective's answer sits inside the grid.
    case 'honestShare': return Math.min(0.99, (0.9 - 0.04 * (capEffect - 2) ** 2 - 0.05 * Math.abs(Math.log2(emission / 2000))) * (1 + (wobble - 1) / 4));
    case 'costPerKm': return (emission * 30 / (4000 + 900 * capEffect)) * wobble;
    case 'viabilityShare': return Math.max(0, (0.5 - emission / 9000 - 0.02 * capEffect) * wobble);
    default: {
      const profile = metric.split('.')[1]!;
      const base = metric.startsWith('honest') ? 10 + 6 * HONEST.indexOf(profile) : 2 + 3 * ADVERSARY.indexOf(profile);
      return (base * emission / 1000) * (1 + 0.15 * capEffect * (metric.startsWith('adversary') ? 1 : 0.3)) * wobble;
    }
  }
}

export interface FakeSweepOptions {
  caps?: string[];
  emissions?: string[];
  seeds?: number[];
  bestSetId?: number | null;
}

/**
 * A sweep over cap (first axis, x) × emission (one series per value), as `pinbench sweep
 * --grid cap=… --grid emission=… --seeds N --objective 'max honestShare s.t. gini < 0.4'` writes it.
 */
export function fakeSweep(options: FakeSweepOptions = {}): SweepResult {
  const caps = options.caps ?? ['50', '100', '200', '400'];
  const emissions = options.emissions ?? ['1000', '2000', '4000'];
  const seeds = options.seeds ?? [1, 2, 3];
  const sets: SweepSetResult[] = [];
  for (const cap of caps) {
    for (const emission of emissions) {
      const metrics = Object.fromEntries(FAKE_METRICS.map((m, i) => [m.name, summary(seeds.map((s) => fakeValue(m.name, Number(cap), Number(emission), s, i)))]));
      sets.push({ id: sets.length, params: { cap, emission }, label: `cap=${cap},emission=${emission}`, metrics });
    }
  }
  // The objective's answer worked out on the fake figures, as the sweep does: max honestShare among the sets with gini < 0.4.
  const feasible = sets.filter((s) => s.metrics.gini!.mean < 0.4);
  const answer = feasible.reduce<SweepSetResult | undefined>((best, s) => (best === undefined || s.metrics.honestShare!.mean > best.metrics.honestShare!.mean ? s : best), undefined);
  const bestSetId = options.bestSetId === undefined ? answer?.id ?? null : options.bestSetId;
  const devices = 1000;
  const epochs = 30;
  const deviceEpochs = sets.length * seeds.length * devices * epochs;
  return {
    kind: 'pinbench-sweep',
    formatVersion: 1,
    createdAt: '2026-12-07T19:00:00.000Z',
    scenario: { name: 'city-1k', path: 'scenarios/city-1k.yaml', hash: '9f2c1d7a5b3e8f604c1a2b3d4e5f60718293a4b5c6d7e8f9', devices, epochs },
    axes: [{ name: 'cap', values: caps }, { name: 'emission', values: emissions }],
    seeds,
    metrics: FAKE_METRICS,
    sets,
    objective: { text: 'max honestShare s.t. gini < 0.4', ...(bestSetId === null ? {} : { bestSetId }), feasibleSets: bestSetId === null ? 0 : feasible.length },
    calibration: { key: 'calib-9f2c1d7a', devicesPerProfile: 200, worstRelativeError: 0.043, note: 'Pool means of a second calibration at seed 1001 against this one: counted samples, distance and flag rate per profile.' },
    timing: { deviceEpochs, wallMs: 4_200, deviceEpochsPerSecond: deviceEpochs / 4.2, workers: 2 },
  };
}
