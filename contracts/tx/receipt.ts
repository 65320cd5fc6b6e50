import type { TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe, detailsOf, fail, finish, hashesOf, plural } from './entries.ts';
import { revertError } from './revert.ts';
import { errorText } from './rpc.ts';
import { withTimeout } from './timeout.ts';

/** The receipt of the transaction or of its filler, whichever was mined at the nonce. */
export async function findReceipt(ctx: SenderContext, entry: Entry): Promise<TransactionReceipt | null> {
  const receipts = await Promise.all(
    hashesOf(entry).map((h) => withTimeout(ctx.provider.getTransactionReceipt(h), ctx.config.requestTimeoutMs, 'eth_getTransactionReceipt')),
  );
  return receipts.find((r) => r !== null) ?? null;
}

/**
 * Settles a mined transaction: resolves on status 1; a mined filler means the transaction
 * itself never made it (TX_SEND_FAILED); a revert is never re-sent and rejects with its reason.
 */
export async function settleMined(ctx: SenderContext, entry: Entry, receipt: TransactionReceipt): Promise<void> {
  if (entry.state !== 'pending') return;
  if (entry.filler && receipt.hash === entry.filler.hash) {
    fail(
      ctx,
      entry,
      new PinbenchError(
        'TX_SEND_FAILED',
        `${describe(entry)} could not be sent after ${plural(entry.failedAttempts ?? 0, 'attempt')} (${errorText(entry.sendError)}); nonce ${entry.nonce} was filled with a 0-value self-transfer (${entry.filler.hash}) so later transactions are not stuck; check that the node is reachable, then send it again`,
        { cause: entry.sendError, details: { ...detailsOf(entry), fillerHash: entry.filler.hash } },
      ),
      receipt,
    );
    return;
  }
  if (receipt.status === 1) {
    finish(ctx, entry, 'mined', receipt);
    entry.resolve(receipt);
    return;
  }
  entry.state = 'done'; // no second settle while the replay runs
  const error = await revertError(ctx, entry, receipt);
  finish(ctx, entry, 'reverted', receipt);
  entry.reject(error);
}
