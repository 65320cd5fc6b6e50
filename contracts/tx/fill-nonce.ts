import { PinbenchError } from '../../core/errors.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe, detailsOf, fail, hashOfRaw, plural } from './entries.ts';
import { feeFields, maxFees } from './fees.ts';
import { markPending, sendWithRetries } from './push.ts';
import { errorText } from './rpc.ts';

/** A 0-value transfer costs exactly this; no transaction can have a lower gas limit. */
export const FILLER_GAS = 21_000n;

/**
 * The nonce is burned: fill it with a 0-value self-transfer at the same nonce and fees, so the
 * transactions after it are not stuck and keep their signed bytes and hashes. (Re-signing them
 * one nonce down would change hashes that may already be in the pool, and a late original would
 * then collide with them.) Whichever of the two is mined decides how the entry settles. When the
 * filler cannot be sent either, the sender is broken: later transactions fail with TX_NONCE_GAP.
 */
export async function fillNonce(ctx: SenderContext, entry: Entry, sendError: unknown): Promise<void> {
  let filler: { raw: string; hash: string } | undefined;
  const outcome = await sendWithRetries(ctx, entry, async () => {
    if (filler === undefined) {
      const current = await ctx.fees().catch(() => undefined);
      const fees = maxFees(entry.fees, current);
      if (fees === undefined) throw new Error('no fee data to sign the filler with');
      const raw = await ctx.signer.signTransaction({
        ...feeFields(fees),
        to: ctx.address,
        value: 0n,
        data: '0x',
        gasLimit: FILLER_GAS,
        nonce: entry.nonce,
        chainId: ctx.chainId,
      });
      filler = { raw, hash: hashOfRaw(raw) };
    }
    return filler.raw;
  });
  if (entry.state !== 'queued') return;
  if (outcome.ok && filler !== undefined) {
    entry.filler = filler;
    ctx.counters.gapFilled++;
    ctx.logger.warn(
      `tx: ${describe(entry)} could not be sent (${errorText(sendError)}); nonce ${entry.nonce} filled with a 0-value self-transfer ${filler.hash}`,
    );
    markPending(ctx, entry);
    return;
  }
  const reason = errorText(sendError);
  ctx.broken = new PinbenchError(
    'TX_NONCE_GAP',
    `nonce ${entry.nonce} of ${ctx.address} could not be used or filled (${reason}): later transactions from this account are stuck; check that the node is reachable, then start a new TxSender (it re-reads the pending nonce) and send them again`,
    { details: { address: ctx.address, nonce: entry.nonce } },
  );
  fail(
    ctx,
    entry,
    new PinbenchError(
      'TX_SEND_FAILED',
      `${describe(entry)} could not be sent after ${plural(entry.failedAttempts ?? 0, 'attempt')} (${reason}) and nonce ${entry.nonce} could not be filled either (${errorText(outcome.ok ? 'unsigned' : outcome.error)}); check that the node is reachable and the account funded, then start a new TxSender and send it again`,
      { cause: sendError, details: detailsOf(entry) },
    ),
  );
  for (const later of [...ctx.entries.values()]) {
    if (later.nonce > entry.nonce) fail(ctx, later, gapError(ctx, later));
  }
}

/** Why a transaction after a burned, unfilled nonce cannot be confirmed. */
export function gapError(ctx: SenderContext, entry: Entry): PinbenchError {
  return new PinbenchError('TX_NONCE_GAP', `${describe(entry)} was not confirmed: ${ctx.broken!.message}`, {
    cause: ctx.broken,
    details: detailsOf(entry),
  });
}
