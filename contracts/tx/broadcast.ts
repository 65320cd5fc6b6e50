import type { Entry, SenderContext } from './context.ts';
import { fail, hashOfRaw } from './entries.ts';
import { feeFields } from './fees.ts';
import { fillNonce, gapError } from './fill-nonce.ts';
import { markPending, sendWithRetries } from './push.ts';

/**
 * Broadcasts one queued transaction (the caller runs these one at a time, in nonce order).
 * When it cannot be sent, its nonce is filled so that the transactions after it are not stuck.
 */
export async function broadcast(ctx: SenderContext, entry: Entry): Promise<void> {
  if (entry.state !== 'queued') return;
  if (ctx.broken) {
    fail(ctx, entry, gapError(ctx, entry));
    return;
  }
  const outcome = await sendWithRetries(ctx, entry, async () => {
    if (entry.raw === undefined) await sign(ctx, entry);
    return entry.raw!;
  });
  if (entry.state !== 'queued') return; // closed meanwhile
  if (outcome.ok) {
    markPending(ctx, entry);
    return;
  }
  entry.sendError = outcome.error;
  entry.failedAttempts = entry.sendAttempts;
  await fillNonce(ctx, entry, outcome.error);
}

/** Signed locally with every field explicit, so the node is asked for nothing but the broadcast. */
async function sign(ctx: SenderContext, entry: Entry): Promise<void> {
  const fees = await ctx.fees();
  entry.raw = await ctx.signer.signTransaction({
    ...feeFields(fees),
    to: entry.request.to,
    data: entry.request.data ?? '0x',
    value: entry.request.value ?? 0n,
    gasLimit: entry.request.gasLimit,
    nonce: entry.nonce,
    chainId: ctx.chainId,
  });
  entry.hash = hashOfRaw(entry.raw);
  entry.fees = fees;
}
