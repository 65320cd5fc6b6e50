import type { Entry, SenderContext } from './context.ts';
import { broadcast } from './broadcast.ts';
import { hashOfRaw } from './entries.ts';
import { FILLER_GAS } from './fill-nonce.ts';
import { rpc } from './rpc.ts';

/**
 * The chain came back from an older state (anvil killed and restarted from its last saved
 * state, or reverted to a snapshot): the account's mined nonce fell below every nonce this
 * sender still watches, and no transaction of ours is left to take the nonces in between, so
 * the pending ones would wait in the pool forever. Each lost nonce gets its transaction again,
 * with the bytes once mined there (same hash: the receipt its caller holds names it still), and
 * in the same order, so it does what it did; a nonce whose bytes were no longer kept gets a
 * 0-value self-transfer, and what was mined there is gone (the warning says which).
 */
export function resendLostNonces(ctx: SenderContext, minedNonce: number): void {
  // A broken sender left a nonce unused on purpose (fill-nonce.ts): that gap is not a rollback.
  if (ctx.closed || ctx.broken !== undefined) return;
  const watched = [...ctx.entries.keys()];
  // With nothing in flight, everything below the next nonce was mined once.
  const lowest = watched.length === 0 ? ctx.nextNonce : Math.min(...watched);
  if (minedNonce >= lowest) return;
  const forgotten: number[] = [];
  for (let nonce = minedNonce; nonce < lowest; nonce++) {
    const kept = ctx.mined.get(nonce);
    if (kept === undefined) forgotten.push(nonce);
    const entry = kept === undefined ? fillerEntry(ctx, nonce) : resentEntry(nonce, kept);
    ctx.entries.set(nonce, entry);
    ctx.counters.lostNoncesResent++;
    // Nobody awaits these; their outcome is in the logs.
    entry.promise.catch((error: unknown) => ctx.logger.warn(`tx: ${entry.label} failed: ${(error as Error).message}`));
    ctx.broadcastQueue = ctx.broadcastQueue.then(() => broadcast(ctx, entry)).catch(() => undefined);
  }
  ctx.logger.warn(
    `tx: the chain lost nonces ${minedNonce}..${lowest - 1} of ${ctx.address} (it came back from an older state); sending their transactions again` +
      (forgotten.length === 0 ? '' : `; the bytes of nonces ${forgotten.join(', ')} were no longer kept: they get 0-value self-transfers and what was mined there is gone`),
  );
}

function resentEntry(nonce: number, kept: { label: string; raw: string; hash: string }): Entry {
  const entry = newEntry(nonce, `${kept.label} (sent again: the chain lost it)`, { to: null, gasLimit: FILLER_GAS, label: kept.label });
  entry.raw = kept.raw;
  entry.hash = hashOfRaw(kept.raw);
  entry.resentAfterRollback = true;
  return entry;
}

function fillerEntry(ctx: SenderContext, nonce: number): Entry {
  const label = `filler for nonce ${nonce} (lost in a chain rollback)`;
  const entry = newEntry(nonce, label, { to: ctx.address, value: 0n, data: '0x', gasLimit: FILLER_GAS, label });
  entry.resentAfterRollback = true;
  return entry;
}

function newEntry(nonce: number, label: string, request: Entry['request']): Entry {
  let resolve!: Entry['resolve'];
  let reject!: Entry['reject'];
  const promise = new Promise<Parameters<Entry['resolve']>[0]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { label, nonce, request, state: 'queued', sendAttempts: 0, rebroadcasts: 0, lastCheckMs: 0, resolve, reject, promise };
}

/**
 * Asked once the chain is known to have restarted: with nothing in flight, no transaction waits
 * long enough for the confirmation loop to notice lost nonces, so what was mined since the
 * node's last saved state would be gone for good. Resolves with how many were sent again.
 */
export async function recheckLostNonces(ctx: SenderContext): Promise<number> {
  const before = ctx.counters.lostNoncesResent;
  resendLostNonces(ctx, Number(await rpc(ctx, 'eth_getTransactionCount', [ctx.address, 'latest'])));
  return ctx.counters.lostNoncesResent - before;
}
