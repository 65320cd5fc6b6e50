/**
 * The reward policy's shape (issue 20): how much is emitted per epoch and how it is shared among
 * the devices by their work units. core/reward-policy/ is the one definition the fast sweep model,
 * the circuit and the contract follow; every rounding is written down where it happens.
 * Amounts are wei as bigint; counts that the circuit range-checks are plain integers.
 */

/**
 * How much an epoch pays.
 * - `rate`: today's rule, no pro rata: each unit pays `rewardPerUnitWei` (the contract multiplies).
 * - `constant`: `perEpochWei` every epoch, shared pro rata to units.
 * - `halving`: `initialWei`, halved (in whole gwei, rounded down) every `everyEpochs` epochs.
 * - `decay`: `initialWei · q^e` with q the per-epoch factor of a yearly decay (emission.ts).
 * Pro-rata amounts must be whole gwei: the contract accrues them in gwei (payout.ts).
 */
export type Emission =
  | { readonly kind: 'rate'; readonly rewardPerUnitWei: bigint }
  | { readonly kind: 'constant'; readonly perEpochWei: bigint }
  | { readonly kind: 'halving'; readonly initialWei: bigint; readonly everyEpochs: number }
  | { readonly kind: 'decay'; readonly initialWei: bigint; readonly yearlyDecay: number; readonly epochsPerYear: number };

export type EmissionKind = Emission['kind'];
export const EMISSION_KINDS: readonly EmissionKind[] = ['rate', 'constant', 'halving', 'decay'];

/**
 * Coverage in hexagonal cells, density-scaled like Helium's HIP-17: a cell visited in the epoch
 * by n devices pays each of them `unitsPerCell` when n ≤ densityTarget, else
 * floor(unitsPerCell · densityTarget / n). The caller computes the cells (h3 at `resolution`).
 */
export interface CoveragePolicy {
  /** h3 resolution of the cells, 0..15. */
  readonly resolution: number;
  readonly unitsPerCell: bigint;
  readonly densityTarget: number;
}

/** Each device stakes `perDeviceWei`; a flagged device-epoch slashes `slashBps`/10,000 of what is left. */
export interface StakePolicy {
  readonly perDeviceWei: bigint;
  readonly slashBps: number;
}

export type FlagPenalty = 'reading' | 'epoch';
export const FLAG_PENALTIES: readonly FlagPenalty[] = ['reading', 'epoch'];

export interface RewardPolicy {
  readonly emission: Emission;
  /** Units per counted reading, as core/reward-rule.ts; < 2^32. */
  readonly unitsPerSample: bigint;
  /** Cap on one step's Manhattan distance in 1e-7 degree, as core/reward-rule.ts; < 2^32. */
  readonly maxStepE7: bigint;
  readonly coverage?: CoveragePolicy;
  /** A device-epoch's units are min(units, capUnits). */
  readonly capUnits?: bigint;
  /** Fewer counted readings than this in an epoch ⇒ 0 units. */
  readonly minSamples?: number;
  /** `reading`: a flagged reading earns nothing (today); `epoch`: any flagged reading zeroes the device-epoch. */
  readonly flagPenalty: FlagPenalty;
  readonly stake?: StakePolicy;
  /** The token's supply: the emission scheduled over a scenario's epochs must not exceed it. */
  readonly maxSupplyWei: bigint;
}

/** What one device did in one epoch, as the policy needs it (rewards.ts). */
export interface DeviceEpochFacts {
  /** Registry index, ≥ 1, distinct within an epoch. */
  readonly deviceIndex: number;
  /** Unflagged readings among the K the circuit takes. */
  readonly countedSamples: number;
  /** Σ of capped step distances in 1e-7 degree, as core/reward-rule.ts counts them. */
  readonly stepUnits: bigint;
  /** Flagged readings among the K the circuit takes. */
  readonly flaggedReadings: number;
  /** h3 ids of the device's counted readings (may repeat), computed by the caller at coverage.resolution. */
  readonly cells: readonly string[];
}
