import { PinbenchError } from '../../core/errors.ts';
import type { SenderContext } from './context.ts';
import { checkDropped } from './dropped.ts';
import { describe, detailsOf, fail, pendingEntries } from './entries.ts';
import { findReceipt, settleMined } from './receipt.ts';
import { nodeAnswered, withinOutage } from './outage.ts';
import { errorText, rpc } from './rpc.ts';

/** One polling loop per sender watches all its pending transactions; it runs only while some are pending. */
export function ensurePolling(ctx: SenderContext): void {
  if (ctx.polling || ctx.closed) return;
  ctx.polling = true;
  void pollLoop(ctx);
}

async function pollLoop(ctx: SenderContext): Promise<void> {
  const { pollIntervalMs, maxPollFailures } = ctx.config;
  try {
    while (!ctx.closed && pendingEntries(ctx).length > 0) {
      await ctx.clock.sleep(pollIntervalMs);
      if (ctx.closed) break;
      try {
        await tick(ctx);
        ctx.pollFailures = 0;
        nodeAnswered(ctx);
      } catch (error) {
        // A node that is restarting is waited for (maxOutageMs), not counted as failed rounds.
        if (withinOutage(ctx, error)) continue;
        ctx.pollFailures++;
        ctx.logger.warn(`tx: confirmation round failed (${ctx.pollFailures}/${maxPollFailures}): ${errorText(error)}`);
        // A node that stays unreachable must not leave callers waiting forever.
        if (ctx.pollFailures >= maxPollFailures) {
          for (const entry of pendingEntries(ctx)) {
            fail(
              ctx,
              entry,
              new PinbenchError(
                'TX_UNCONFIRMED',
                `${describe(entry)} could not be confirmed: ${ctx.pollFailures} receipt polls in a row failed (${errorText(error)}); it may still be mined: check the node, then look its hash up before sending it again`,
                { cause: error, details: detailsOf(entry) },
              ),
            );
          }
          ctx.pollFailures = 0;
        }
      }
    }
  } finally {
    ctx.polling = false;
    // A transaction may have become pending between the last check and leaving the loop.
    if (!ctx.closed && pendingEntries(ctx).length > 0) ensurePolling(ctx);
  }
}

/** One confirmation round for all pending transactions (ethers batches the concurrent requests). */
async function tick(ctx: SenderContext): Promise<void> {
  const pending = pendingEntries(ctx);
  const now = ctx.clock.nowMs();
  // Asked at most once per round, and only if some transaction looks dropped.
  let minedNonce: Promise<number> | undefined;
  const latestNonce = (): Promise<number> =>
    (minedNonce ??= rpc(ctx, 'eth_getTransactionCount', [ctx.address, 'latest']).then((n) => Number(n)));
  const found = await Promise.all(pending.map((e) => findReceipt(ctx, e)));
  let stale = false;
  await Promise.all(
    pending.map(async (entry, i) => {
      const receipt = found[i];
      if (receipt) return settleMined(ctx, entry, receipt);
      if (now - entry.lastCheckMs < ctx.config.dropCheckMs) return;
      entry.lastCheckMs = now;
      stale = true;
      await checkDropped(ctx, entry, latestNonce);
    }),
  );
  // A transaction long without a receipt may wait behind nonces the chain lost in a rollback.
  if (stale) ctx.onStale(await latestNonce());
}
