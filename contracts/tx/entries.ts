import { keccak256, type TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import type { Entry, SenderContext } from './context.ts';
import type { TxTiming } from './options.ts';

/** How every message names a transaction: its label, nonce and (once signed) hash. */
export function describe(entry: Entry): string {
  return `tx "${entry.label}" (nonce ${entry.nonce}${entry.hash ? `, hash ${entry.hash}` : ''})`;
}

export function detailsOf(entry: Entry): Record<string, unknown> {
  return { label: entry.label, nonce: entry.nonce, hash: entry.hash };
}

/** The transaction's hash and its filler's: either may be the one mined at its nonce. */
export function hashesOf(entry: Entry): string[] {
  return [entry.hash, entry.filler?.hash].filter((h): h is string => h !== undefined);
}

/** A transaction's hash is the keccak256 of its signed serialization. */
export function hashOfRaw(raw: string): string {
  return keccak256(raw);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function pendingEntries(ctx: SenderContext): Entry[] {
  return [...ctx.entries.values()].filter((e) => e.state === 'pending');
}

/** Settles a transaction without a receipt of its own (or with its filler's); a second settle is a no-op. */
export function fail(ctx: SenderContext, entry: Entry, error: unknown, receipt?: TransactionReceipt): void {
  if (entry.state === 'done') return;
  finish(ctx, entry, 'failed', receipt);
  entry.reject(error);
}

/** Counts the outcome and keeps its timing record; the caller resolves or rejects. */
export function finish(ctx: SenderContext, entry: Entry, status: TxTiming['status'], receipt: TransactionReceipt | undefined): void {
  entry.state = 'done';
  ctx.entries.delete(entry.nonce);
  if (receipt !== undefined) keepMined(ctx, entry, receipt);
  // Its caller counted and timed it the first time it was mined.
  if (entry.resentAfterRollback) return;
  const minedAtMs = status === 'failed' ? undefined : ctx.clock.nowMs();
  if (status === 'mined') ctx.counters.confirmed++;
  else if (status === 'reverted') ctx.counters.reverted++;
  else ctx.counters.failed++;
  ctx.records.push({
    label: entry.label,
    nonce: entry.nonce,
    hash: entry.hash,
    status,
    sentAtMs: entry.sentAtMs,
    minedAtMs,
    ms: minedAtMs !== undefined && entry.sentAtMs !== undefined ? minedAtMs - entry.sentAtMs : undefined,
    sendAttempts: entry.sendAttempts,
    rebroadcasts: entry.rebroadcasts,
    gasUsed: status === 'failed' ? undefined : receipt?.gasUsed,
  });
}

/** Stops the confirmation loop; outstanding transactions reject with TX_SENDER_CLOSED (they may still be mined). */
export function close(ctx: SenderContext): void {
  if (ctx.closed) return;
  ctx.closed = true;
  for (const entry of [...ctx.entries.values()]) {
    fail(
      ctx,
      entry,
      new PinbenchError(
        'TX_SENDER_CLOSED',
        `${describe(entry)} was not confirmed before the TxSender was closed; it may still be mined: check its hash before sending it again`,
        { details: detailsOf(entry) },
      ),
    );
  }
}

/** How many mined transactions' bytes a sender keeps: a rollback to a saved state loses seconds to minutes of them. */
const KEEP_MINED = 4096;

/** Keeps the bytes mined at a nonce (the transaction's or its filler's), forgetting the oldest. */
function keepMined(ctx: SenderContext, entry: Entry, receipt: TransactionReceipt): void {
  const raw = entry.filler && receipt.hash === entry.filler.hash ? entry.filler.raw : entry.raw;
  if (raw === undefined) return;
  ctx.mined.set(entry.nonce, { label: entry.label, raw, hash: receipt.hash });
  if (ctx.mined.size > KEEP_MINED) ctx.mined.delete(ctx.mined.keys().next().value!);
}
