import type { MetricSummary, SweepMetricInfo } from '../../reports/sweep/sweep-result.ts';
import type { ProfilePool } from './calibration.ts';

const WEI_PER_TOKEN = 1e18;
/**
 * Step units are 1e-7 degree of Manhattan distance (|Δlat| + |Δlon|, core/reward-rule.ts). A
 * degree is taken as 111.32 km for both terms (a degree of latitude; a degree of longitude is
 * that × cos(latitude), so east-west moves are overstated, by ~1.6× at Berlin's 52.5°): 1 unit = 1.1132e-5 km.
 */
export const KM_PER_STEP_UNIT = 111.32 / 1e7;
/** Default viability line: 1 token per device per epoch. */
export const DEFAULT_VIABILITY_TOKENS = 1;

/** Which group each profile's devices count in: honest by motion (faults included: they do not cheat), adversaries by adversary name. */
export interface ProfileGroups {
  /** Per profile index: true when the profile has no adversary. */
  readonly honest: readonly boolean[];
  /** Per profile index: `honestReward.<motion>` or `adversaryReward.<adversary>`. */
  readonly group: readonly string[];
  /** The group names in first-appearance order, honest ones first. */
  readonly groups: readonly string[];
}

export function profileGroups(profiles: readonly Pick<ProfilePool, 'motion' | 'adversary'>[]): ProfileGroups {
  const honest = profiles.map((p) => p.adversary === undefined);
  const group = profiles.map((p) => (p.adversary === undefined ? `honestReward.${p.motion}` : `adversaryReward.${p.adversary}`));
  const groups = [...new Set(group.filter((_, i) => honest[i]!)), ...new Set(group.filter((_, i) => !honest[i]!))];
  return { honest, group, groups };
}

/** The metrics a sweep reports, in this order, the group metrics of the calibration's profiles after the fleet-wide ones. */
export function sweepMetricInfos(groups: ProfileGroups): SweepMetricInfo[] {
  const fixed: SweepMetricInfo[] = [
    { name: 'emission', label: 'Emission', unit: 'tokens', description: 'Tokens minted over the run (rounding dust left unminted is not counted).' },
    { name: 'gini', label: 'Gini', unit: 'share', description: 'Gini coefficient of the devices\' total rewards (0 = equal, 1 = one device takes all).' },
    { name: 'top10Share', label: 'Top 10 % share', unit: 'share', description: 'Share of the minted tokens paid to the best-paid tenth of the devices (ceil(n/10) devices).' },
    { name: 'honestShare', label: 'Honest share', unit: 'share', description: 'Share of the minted tokens paid to devices of honest profiles (no adversary; faulty devices count as honest).' },
    { name: 'costPerKm', label: 'Cost per verified km', unit: 'tokens/km', description: 'Tokens minted per verified kilometre: the capped step distance of the device-epochs that earned, 1e-7 degree Manhattan at 111.32 km per degree.' },
    { name: 'viabilityShare', label: 'Under the viability line', unit: 'share', description: 'Share of honest devices whose reward per epoch is under the viability line (--viability tokens per device per epoch).' },
  ];
  const per = groups.groups.map((name): SweepMetricInfo => {
    const [kind, profile] = name.split('.') as [string, string];
    return kind === 'honestReward'
      ? { name, label: `Honest ${profile}`, unit: 'tokens', description: `Mean tokens per honest ${profile} device over the run (net of slashes).` }
      : { name, label: `Adversary ${profile}`, unit: 'tokens', description: `Tokens captured per ${profile} device over the run, net of slashes: what cheating this way earns.` };
  });
  return [...fixed, ...per];
}

/** Gini coefficient of non-negative values: Σ_i Σ_j |x_i − x_j| / (2 n² mean), by the sorted form (2 Σ i·x_(i)) / (n Σ x) − (n + 1) / n; 0 when all are 0. */
export function gini(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i]!;
    weighted += (i + 1) * sorted[i]!;
  }
  if (n === 0 || sum === 0) return 0;
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

/** Share of the total held by the ceil(n/10) largest values; 0 when the total is 0. */
export function top10Share(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort().reverse();
  const top = Math.ceil(sorted.length / 10);
  let all = 0;
  let best = 0;
  sorted.forEach((v, i) => {
    all += v;
    if (i < top) best += v;
  });
  return all === 0 ? 0 : best / all;
}

export interface MetricInputs {
  /** Per device: total reward (wei). */
  readonly rewardWei: ArrayLike<number>;
  /** Per device: total slashed (wei). */
  readonly slashedWei: ArrayLike<number>;
  /** Per device: its profile index. */
  readonly profileOfDevice: ArrayLike<number>;
  readonly paidStepUnits: number;
  readonly epochs: number;
  readonly viabilityTokens: number;
}

/** One (set, seed)'s metrics from what each device was paid. A group without devices in the fleet is left out. */
export function sweepMetrics(input: MetricInputs, groups: ProfileGroups): Record<string, number> {
  const { rewardWei, slashedWei, profileOfDevice, epochs } = input;
  const n = rewardWei.length;
  let minted = 0;
  let honestMinted = 0;
  let honestDevices = 0;
  let underLine = 0;
  const groupSum = new Map<string, number>();
  const groupCount = new Map<string, number>();
  const line = input.viabilityTokens * WEI_PER_TOKEN;
  for (let d = 0; d < n; d++) {
    const p = profileOfDevice[d]!;
    const reward = rewardWei[d]!;
    minted += reward;
    if (groups.honest[p]) {
      honestMinted += reward;
      honestDevices += 1;
      if (reward / epochs < line) underLine += 1;
    }
    const g = groups.group[p]!;
    groupSum.set(g, (groupSum.get(g) ?? 0) + (reward - slashedWei[d]!) / WEI_PER_TOKEN);
    groupCount.set(g, (groupCount.get(g) ?? 0) + 1);
  }
  const km = input.paidStepUnits * KM_PER_STEP_UNIT;
  const out: Record<string, number> = {
    emission: minted / WEI_PER_TOKEN,
    gini: gini(rewardWei),
    top10Share: top10Share(rewardWei),
    honestShare: minted === 0 ? 0 : honestMinted / minted,
    viabilityShare: honestDevices === 0 ? 0 : underLine / honestDevices,
  };
  // No verified distance: the cost per km has no value, and the seed is left out of its summary.
  if (km > 0) out.costPerKm = minted / WEI_PER_TOKEN / km;
  for (const g of groups.groups) if (groupCount.has(g)) out[g] = groupSum.get(g)! / groupCount.get(g)!;
  return out;
}

/** Mean, sample sd (n − 1; 0 for one value), min and max. */
export function summarize(values: readonly number[]): MetricSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}
