import { classifySendError } from './classify.ts';
import { ensurePolling } from './confirm.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe } from './entries.ts';
import { nodeAnswered, withinOutage } from './outage.ts';
import { errorText, rpc } from './rpc.ts';

/**
 * Sends raw bytes with retries and exponential backoff; `ok` also when the node already has a
 * transaction at this nonce. The bytes are signed once (`raw` caches them), so a retry after
 * an attempt that did reach the node is harmless. Bytes the node can never accept are not retried.
 */
export async function sendWithRetries(ctx: SenderContext, entry: Entry, raw: () => Promise<string>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const { maxSendAttempts, backoff } = ctx.config;
  let lastError: unknown;
  // Failures while the node is unreachable (within maxOutageMs) do not use up attempts.
  let counted = 0;
  for (let tries = 0; counted < maxSendAttempts; tries++) {
    if (tries > 0) {
      ctx.counters.retried++;
      await ctx.clock.sleep(Math.min(backoff.initialMs * 2 ** Math.min(tries - 1, 30), backoff.maxMs));
    }
    if (ctx.closed) return { ok: false, error: new Error('TxSender closed') };
    entry.sendAttempts++;
    try {
      const bytes = await raw();
      await rpc(ctx, 'eth_sendRawTransaction', [bytes]);
      nodeAnswered(ctx);
      return { ok: true };
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'known') {
        nodeAnswered(ctx);
        ctx.logger.debug(`tx: ${describe(entry)}: node already has a transaction at nonce ${entry.nonce} (${errorText(error)})`);
        return { ok: true };
      }
      lastError = error;
      if (kind === 'rejected') break;
      if (withinOutage(ctx, error)) continue;
      counted++;
      ctx.logger.warn(`tx: ${describe(entry)}: send attempt ${counted}/${maxSendAttempts} failed: ${errorText(error)}`);
    }
  }
  return { ok: false, error: lastError };
}

/** The node has the transaction (or its filler): from now on the confirmation loop watches it. */
export function markPending(ctx: SenderContext, entry: Entry): void {
  if (entry.state !== 'queued') return;
  entry.state = 'pending';
  if (entry.sentAtMs === undefined) {
    entry.sentAtMs = ctx.clock.nowMs();
    if (entry.filler === undefined && !entry.resentAfterRollback) ctx.counters.sent++;
  }
  entry.lastCheckMs = ctx.clock.nowMs();
  ctx.logger.debug(`tx: sent ${describe(entry)}`);
  ensurePolling(ctx);
}
