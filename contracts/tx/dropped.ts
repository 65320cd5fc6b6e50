import { PinbenchError } from '../../core/errors.ts';
import { classifySendError } from './classify.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe, detailsOf, fail, hashesOf } from './entries.ts';
import { findReceipt, settleMined } from './receipt.ts';
import { errorText, rpc } from './rpc.ts';

/**
 * A pending transaction without a receipt: if the node still knows its hash, wait on. If the
 * account's mined nonce has passed it, it was mined meanwhile or another transaction took the
 * nonce (TX_REPLACED). Otherwise the node dropped it: re-broadcast the same signed bytes.
 */
export async function checkDropped(ctx: SenderContext, entry: Entry, latestNonce: () => Promise<number>): Promise<void> {
  const known = await Promise.all(hashesOf(entry).map((h) => rpc(ctx, 'eth_getTransactionByHash', [h])));
  if (known.some((tx) => tx !== null)) return;
  if ((await latestNonce()) > entry.nonce) {
    const late = await findReceipt(ctx, entry);
    if (late) return settleMined(ctx, entry, late);
    fail(
      ctx,
      entry,
      new PinbenchError(
        'TX_REPLACED',
        `${describe(entry)} was replaced: nonce ${entry.nonce} of ${ctx.address} was used by another transaction; give the TxSender an account nothing else sends from, then send it again`,
        { details: detailsOf(entry) },
      ),
    );
    return;
  }
  await rebroadcast(ctx, entry);
}

/** Up to `maxRebroadcasts` times, then TX_DROPPED: a node that keeps dropping it will not mine it. */
async function rebroadcast(ctx: SenderContext, entry: Entry): Promise<void> {
  const { maxRebroadcasts } = ctx.config;
  if (entry.rebroadcasts >= maxRebroadcasts) {
    fail(
      ctx,
      entry,
      new PinbenchError(
        'TX_DROPPED',
        `${describe(entry)} was dropped by the node ${entry.rebroadcasts + 1} times and not mined; check the node's pool limits and the fees (raise maxFeePerGas), then send it again`,
        { details: detailsOf(entry) },
      ),
    );
    return;
  }
  entry.rebroadcasts++;
  ctx.counters.rebroadcast++;
  // With a filler, the filler is what should take the nonce now.
  const raw = entry.filler?.raw ?? entry.raw!;
  ctx.logger.warn(`tx: ${describe(entry)} was dropped by the node; re-broadcasting (${entry.rebroadcasts}/${maxRebroadcasts})`);
  try {
    await rpc(ctx, 'eth_sendRawTransaction', [raw]);
  } catch (error) {
    const kind = classifySendError(error);
    if (kind === 'known') return;
    if (kind === 'rejected') {
      fail(
        ctx,
        entry,
        new PinbenchError('TX_DROPPED', `${describe(entry)} was dropped and the node refused it again: ${errorText(error)}`, {
          cause: error,
          details: detailsOf(entry),
        }),
      );
      return;
    }
    // A transient failure: the next drop check tries again.
    ctx.counters.retried++;
    ctx.logger.warn(`tx: re-broadcast of ${describe(entry)} failed: ${errorText(error)}`);
  }
}
