import type { ReportCheck } from '../../reports/types.ts';
import type { RunStore } from '../../backend/store/run-store.ts';
import type { Ingest } from '../../backend/ingest/ingest.ts';
import type { ChainSetup } from '../../backend/chain/chain-client.ts';
import type { FleetRuntime } from '../fleet/fleet-runtime.ts';
import type { ClaimSummary } from './claims.ts';
import { inParallel } from './in-parallel.ts';
import { GWEI, type StakePolicy } from '../../core/reward-policy/index.ts';
import { stakeCheck } from './stake-check.ts';
import { NON_MESSAGE_REASONS, rejectionKind } from '../../backend/ingest/reasons.ts';

/** Balance reads in flight at once in the last check. */
const BALANCE_READS_AT_ONCE = 32;

/** Expected payout per owner from run.db's rewards table (what the pipeline settled). */
export function expectedOwnerRewards(store: RunStore): Map<string, bigint> {
  const rows = store.db
    .prepare('SELECT d.owner AS owner, r.reward_wei AS rewardWei FROM rewards r JOIN devices d USING (device_index)')
    .all() as Array<{ owner: string; rewardWei: string }>;
  const byOwner = new Map<string, bigint>();
  for (const row of rows) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0n) + BigInt(row.rewardWei));
  return byOwner;
}

/**
 * What the settlement contract should have accrued per device, summed over epochs from run.db's
 * rewards table (what the policy gave): units under a rate, the reward in gwei pro rata (the
 * contract accrues whole gwei; contracts/Settlement.sol).
 */
export function expectedDeviceAccruals(store: RunStore, proRata = false): Map<number, bigint> {
  const rows = store.db.prepare('SELECT device_index AS deviceIndex, units, reward_wei AS rewardWei FROM rewards').all() as Array<{ deviceIndex: number; units: string; rewardWei: string }>;
  const byDevice = new Map<number, bigint>();
  for (const row of rows) {
    const accrued = proRata ? BigInt(row.rewardWei) / GWEI : BigInt(row.units);
    byDevice.set(row.deviceIndex, (byDevice.get(row.deviceIndex) ?? 0n) + accrued);
  }
  return byDevice;
}

/**
 * The checks that decide a run's exit code. Balances are read from the chain, not from the
 * report, so a settlement that paid the wrong amount is caught.
 */
export async function runChecks(input: {
  store: RunStore;
  chain: ChainSetup;
  fleet: FleetRuntime;
  ingest: Ingest;
  settled: ReadonlyArray<unknown>;
  failures: readonly string[];
  claims: ClaimSummary;
  /** The policy shares an emission pro rata: the contract accrues gwei, not units. */
  proRata?: boolean;
  /** The policy's stakes, checked on chain against its slashes. */
  stake?: StakePolicy;
  /**
   * The team's broker the backend was a client of, if any. A publish it acknowledged to a device
   * but never delivered (Mosquitto acknowledges and drops one its ACL refuses) is then counted
   * as dropped by that broker: pinbench cannot see into it to say more.
   */
  externalBroker?: string;
}): Promise<ReportCheck[]> {
  const { store, chain, fleet, ingest, failures, claims } = input;
  const checks: ReportCheck[] = [];

  const registered = fleet.registeredCount();
  checks.push({
    name: 'fleet registered',
    ok: registered === fleet.size,
    detail: `${registered} of ${fleet.size} devices registered on chain`,
  });

  // A run in which nothing was accepted exercised nothing downstream: it is not a pass.
  checks.push({
    name: 'readings accepted',
    ok: ingest.counters.accepted > 0,
    detail: `${ingest.counters.accepted} readings accepted`,
  });

  const unaccounted = store.unaccountedPublishes();
  const missing = unaccounted.reduce((n, row) => n + row.count, 0);
  const devices = unaccounted.map((r) => r.deviceIndex).join(', ');
  // A PUBLISH the broker closed the connection on (a wildcard topic, a packet over the cap) was
  // never acknowledged, so it is no acknowledged publish; it is still in run.db, and said here.
  const closed = Object.entries(ingest.counters.rejected).filter(([reason]) => rejectionKind(reason) === 'connection');
  const populations = store.messagePopulations(NON_MESSAGE_REASONS);
  const closedNote = closed.length === 0 ? '' : `; connections closed on a bad packet, each a row in run.db rejections: ${closed.map(([reason, n]) => `${reason} ${n}`).join(', ')}`;
  checks.push({
    name: 'every publish accounted for',
    ok: missing === 0 || input.externalBroker !== undefined,
    detail:
      missing === 0
        ? `${fleet.publishedCount()} acknowledged publishes of the fleet, each accepted or rejected with a reason (${populations.fleet.accepted} accepted, ${populations.fleet.rejected} rejected)${closedNote}`
        : input.externalBroker !== undefined
          ? `${fleet.publishedCount()} acknowledged publishes of the fleet: ${populations.fleet.accepted} accepted, ${populations.fleet.rejected} rejected, ${missing} dropped by the broker at ${input.externalBroker} (acknowledged to the device, never delivered to the backend: devices ${devices})`
          : `${missing} acknowledged publishes neither accepted nor rejected (devices ${devices})`,
  });

  checks.push(...(await chainChecks({
    store, chain, settled: input.settled.length, failures, claims,
    ...(input.proRata === undefined ? {} : { proRata: input.proRata }), ...(input.stake === undefined ? {} : { stake: input.stake }),
  })));
  return checks;
}

/**
 * The checks on what the chain holds, for a run and for `pinbench resume` alike: every batch
 * settled, the accruals read before the claims equal the rule over run.db, every owner claimed,
 * and each owner's balance read from the chain equals its rewards.
 */
export async function chainChecks(input: {
  store: RunStore;
  chain: Pick<ChainSetup, 'balanceOf' | 'stakeOf' | 'totalSlashedWei'>;
  /** How many batches were settled (by this process). */
  settled: number;
  failures: readonly string[];
  claims: ClaimSummary;
  /**
   * Units each owner (lowercase address) claimed before these claims (`pinbench resume` of a run
   * stopped during its claims, read from the Claimed events): the accruals are then checked per
   * owner, claimed and still accrued together, since a claim empties a device's accrual.
   */
  claimedBefore?: ReadonlyMap<string, bigint>;
  /** The policy shares an emission pro rata: the contract accrues gwei, not units. */
  proRata?: boolean;
  /** The policy's stakes: the contract's stakes are checked against its slashes. */
  stake?: StakePolicy;
}): Promise<ReportCheck[]> {
  const { store, chain, failures, claims } = input;
  const proRata = input.proRata ?? false;
  const checks: ReportCheck[] = [];
  checks.push({
    name: 'all batches settled',
    ok: failures.length === 0,
    detail: failures.length === 0 ? `${input.settled} batches proven and settled` : failures.join('; '),
  });

  checks.push(input.claimedBefore === undefined ? accrualCheck(store, claims, proRata) : ownerAccrualCheck(store, claims, input.claimedBefore, proRata));

  checks.push({
    name: 'owners claimed',
    ok: claims.failures.length === 0,
    detail: claims.failures.length === 0 ? `${claims.claims} owners claimed their rewards` : claims.failures.slice(0, 5).join('; '),
  });

  const expected = [...expectedOwnerRewards(store)];
  // Read side by side: one at a time, 10,000 owners' balances took ~2 min of RPC round trips.
  const found: Array<string | undefined> = new Array(expected.length);
  // An owner who claims for themselves has claimed nothing yet: their balance must still be 0.
  const unclaimed = new Set(claims.leftToOwners.map((l) => l.owner));
  await inParallel(expected, BALANCE_READS_AT_ONCE, async ([owner, rule], i) => {
    const want = unclaimed.has(owner) ? 0n : rule;
    const got = await chain.balanceOf(owner);
    if (got !== want) found[i] = `${owner}: chain ${got}, expected ${want}`;
  });
  const mismatches = found.filter((line): line is string => line !== undefined);
  checks.push({
    name: 'chain balances equal rewards',
    ok: mismatches.length === 0,
    detail:
      mismatches.length === 0
        ? `${expected.length} owners' token balances read from the chain match the rewards they claimed` +
          (unclaimed.size > 0 ? ` (${unclaimed.size} owners of attached devices claim for themselves: accrued, balance 0)` : '')
        : mismatches.slice(0, 5).join('; '),
  });
  if (input.stake !== undefined) checks.push(await stakeCheck(store, chain, input.stake));
  return checks;
}

/** Each device's accrual read before the claims equals the rule's units over run.db. */
function accrualCheck(store: RunStore, claims: ClaimSummary, proRata: boolean): ReportCheck {
  const units = expectedDeviceAccruals(store, proRata);
  const mismatches: string[] = [];
  for (const [deviceIndex, want] of units) {
    const got = claims.accruedBefore.get(deviceIndex);
    if (got !== want) mismatches.push(`device ${deviceIndex}: chain ${got ?? 'not read'}, rule ${want}`);
  }
  return {
    name: 'chain accruals equal the rule',
    ok: mismatches.length === 0,
    detail: mismatches.length === 0 ? `${units.size} devices' accrued ${proRata ? 'gwei' : 'units'} read from the settlement contract match the reward ${proRata ? 'policy' : 'rule'} over run.db` : mismatches.slice(0, 5).join('; '),
  };
}

/** Per owner: units claimed earlier plus units accrued before these claims equal the rule's units of the owner's devices. */
function ownerAccrualCheck(store: RunStore, claims: ClaimSummary, claimedBefore: ReadonlyMap<string, bigint>, proRata: boolean): ReportCheck {
  const owners = new Map<string, number[]>();
  for (const row of store.db.prepare('SELECT device_index AS d, owner FROM devices').all() as Array<{ d: number; owner: string }>) {
    const owner = row.owner.toLowerCase();
    const devices = owners.get(owner) ?? [];
    devices.push(row.d);
    owners.set(owner, devices);
  }
  const units = expectedDeviceAccruals(store, proRata);
  const mismatches: string[] = [];
  for (const [owner, devices] of owners) {
    const want = devices.reduce((n, d) => n + (units.get(d) ?? 0n), 0n);
    const got = (claimedBefore.get(owner) ?? 0n) + devices.reduce((n, d) => n + (claims.accruedBefore.get(d) ?? 0n), 0n);
    if (got !== want) mismatches.push(`owner ${owner}: chain ${got} (claimed ${claimedBefore.get(owner) ?? 0n} earlier), rule ${want}`);
  }
  return {
    name: 'chain accruals equal the rule',
    ok: mismatches.length === 0,
    detail:
      mismatches.length === 0
        ? `${owners.size} owners' ${proRata ? 'gwei' : 'units'}, claimed before the resume plus accrued, read from the settlement contract, match the reward ${proRata ? 'policy' : 'rule'} over run.db`
        : mismatches.slice(0, 5).join('; '),
  };
}
