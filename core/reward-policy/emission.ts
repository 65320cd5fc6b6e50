import { mulDown, ONE_E18, powDown } from './fixed-point.ts';
import type { Emission } from './types.ts';

/** Pro-rata emissions and payouts are whole gwei: the contract accrues gwei in 63-bit fields. */
export const GWEI = 10n ** 9n;
export const WEI_PER_TOKEN = 10n ** 18n;

/**
 * The decay's per-epoch factor in 1e18 fixed point:
 * q = floor((1 − yearlyDecay)^(1/epochsPerYear) · 1e18), computed ONCE in IEEE-754 double
 * (Math.pow, then × 1e18, which is exact as a double, then floor) and from then on used as an
 * integer everywhere: the contract takes q as a constant, it never recomputes it.
 */
export function decayFactorE18(yearlyDecay: number, epochsPerYear: number): bigint {
  const q = BigInt(Math.floor(Math.pow(1 - yearlyDecay, 1 / epochsPerYear) * 1e18));
  // Rounding of pow can't push q over 1 (pow(x ≤ 1, y > 0) ≤ 1), but keep the bound explicit.
  return q > ONE_E18 ? ONE_E18 : q;
}

/**
 * E_e, the wei scheduled for epoch `e` (0 = the run's first epoch), or undefined for `rate`
 * (which schedules nothing: each unit pays its rate). Every result is whole gwei:
 * - constant: perEpochWei (validated whole gwei);
 * - halving:  floor((initialWei / 1e9) / 2^floor(e / everyEpochs)) · 1e9;
 * - decay:    floor(mulDown(initialWei, powDown(q, e)) / 1e9) · 1e9, which equals
 *             mulDown(initialWei / 1e9, powDown(q, e)) · 1e9 because initialWei is whole gwei.
 */
export function scheduledEmissionWei(emission: Emission, e: number): bigint | undefined {
  switch (emission.kind) {
    case 'rate':
      return undefined;
    case 'constant':
      return emission.perEpochWei;
    case 'halving': {
      const halvings = Math.floor(e / emission.everyEpochs);
      return ((emission.initialWei / GWEI) >> BigInt(halvings)) * GWEI;
    }
    case 'decay': {
      const q = decayFactorE18(emission.yearlyDecay, emission.epochsPerYear);
      return (mulDown(emission.initialWei, powDown(q, e)) / GWEI) * GWEI;
    }
  }
}

/** Σ E_e over epochs 0 … epochs−1; undefined for `rate`. */
export function totalScheduledEmissionWei(emission: Emission, epochs: number): bigint | undefined {
  if (emission.kind === 'rate') return undefined;
  if (emission.kind === 'constant') return emission.perEpochWei * BigInt(epochs);
  let total = 0n;
  for (let e = 0; e < epochs; e++) total += scheduledEmissionWei(emission, e)!;
  return total;
}

/** The per-epoch amount an emission starts from (`emission` grid axis), undefined for `rate`. */
export function initialEmissionWei(emission: Emission): bigint | undefined {
  if (emission.kind === 'rate') return undefined;
  return emission.kind === 'constant' ? emission.perEpochWei : emission.initialWei;
}

/** "1000000000000000000000 wei (1000 tokens)" for messages. */
export function describeWei(wei: bigint): string {
  const whole = wei / WEI_PER_TOKEN;
  const fraction = (wei % WEI_PER_TOKEN).toString().padStart(18, '0').replace(/0+$/, '');
  return `${wei} wei (${whole}${fraction === '' ? '' : `.${fraction}`} tokens)`;
}
