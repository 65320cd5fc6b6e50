import type { SenderContext } from './context.ts';
import type { TxSenderStats, TxTiming } from './options.ts';

// What a sender can be asked about its transactions; copies, so callers cannot change its state.

export function stats(ctx: SenderContext): TxSenderStats {
  return { ...ctx.counters, pending: ctx.entries.size };
}

/** Transactions not yet settled, by nonce: hash is undefined until signed. */
export function inFlight(ctx: SenderContext): Array<{ label: string; nonce: number; hash: string | undefined; state: 'queued' | 'pending'; fillerHash: string | undefined }> {
  return [...ctx.entries.values()]
    .filter((e) => e.state !== 'done')
    .sort((a, b) => a.nonce - b.nonce)
    .map((e) => ({ label: e.label, nonce: e.nonce, hash: e.hash, state: e.state as 'queued' | 'pending', fillerHash: e.filler?.hash }));
}

/** One record per settled transaction, in the order they settled. */
export function timings(ctx: SenderContext): TxTiming[] {
  return ctx.records.map((r) => ({ ...r }));
}

/** Resolves when every transaction sent so far has settled (mined, reverted or failed). */
export async function drain(ctx: SenderContext): Promise<void> {
  await Promise.allSettled([...ctx.entries.values()].map((e) => e.promise));
}
