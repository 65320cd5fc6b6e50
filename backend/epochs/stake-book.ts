import { slashOf, type StakePolicy } from '../../core/reward-policy/index.ts';
import type { RunStore } from '../store/run-store.ts';

/** What a stake policy did to the run's devices, by run.db: what the chain's stakes must equal. */
export interface StakeBook {
  /** Registered devices: each is bonded with the policy's stake as it registers. */
  readonly devices: number;
  /** Settled device-epochs whose lane carried the flag bit. */
  readonly flaggedDeviceEpochs: number;
  /** Each registered device's stake left. */
  readonly stakeLeftWei: ReadonlyMap<number, bigint>;
  readonly slashedWei: bigint;
}

/**
 * Every registered device starts with stake.perDeviceWei; each settled flagged device-epoch in
 * run.db's rewards slashes slashOf(left) (core/reward-policy/rewards.ts). The step is the same
 * whatever the order, so the epochs' settle order does not matter.
 */
export function stakeBook(store: RunStore, stake: StakePolicy): StakeBook {
  const devices = store.db.prepare('SELECT device_index AS d FROM devices ORDER BY device_index').all() as Array<{ d: number }>;
  const flagged = store.db.prepare('SELECT device_index AS d FROM rewards WHERE flagged = 1').all() as Array<{ d: number }>;
  const stakeLeftWei = new Map(devices.map(({ d }) => [d, stake.perDeviceWei]));
  let slashedWei = 0n;
  for (const { d } of flagged) {
    const left = stakeLeftWei.get(d);
    if (left === undefined) continue;
    const cut = slashOf(left, stake.slashBps);
    stakeLeftWei.set(d, left - cut);
    slashedWei += cut;
  }
  return { devices: devices.length, flaggedDeviceEpochs: flagged.length, stakeLeftWei, slashedWei };
}
