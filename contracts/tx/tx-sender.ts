import type { TransactionReceipt } from 'ethers';
import type { SenderContext } from './context.ts';
import { close } from './entries.ts';
import type { TxSenderOptions, TxSenderStats, TxSendRequest, TxTiming } from './options.ts';
import { recheckLostNonces } from './rollback.ts';
import { send } from './send.ts';
import { startSender } from './start.ts';
import { drain, inFlight, stats, timings } from './status.ts';

/**
 * One account's transaction pipeline (issue 5, "Settlement"): every transaction is signed locally
 * with an explicit nonce, gas limit, chain id and fees, broadcast as raw bytes without waiting
 * for earlier ones to be mined, and confirmed by one polling loop for all of them. The class
 * only holds the state; each concern is a plain function of contracts/tx/:
 *
 * - **Nonces** (start.ts, send.ts). The pending nonce is read once; then `send` assigns them in
 *   call order. Nothing else may send from the account (a taken nonce fails with TX_REPLACED).
 * - **Broadcast** (broadcast.ts, push.ts). One at a time in nonce order, each waiting for the
 *   node's answer to `eth_sendRawTransaction` (~1 ms locally), never for mining, so the node
 *   never sees a nonce gap. RPC failures are retried with the same signed bytes and backoff;
 *   "already imported", "nonce too low" and "replacement underpriced" count as sent
 *   (classify.ts); rejections the same bytes cannot pass are not retried.
 * - **Burned nonces** (fill-nonce.ts). After `maxSendAttempts` the nonce is filled with a
 *   0-value self-transfer; if the filler fails too, the sender is broken (TX_SEND_FAILED, then
 *   TX_NONCE_GAP for every later transaction): start a new TxSender once the node answers again.
 * - **Confirmation** (confirm.ts, receipt.ts). Receipts are polled for all pending transactions
 *   together; TX_UNCONFIRMED after `maxPollFailures` failed rounds in a row.
 * - **Dropped transactions** (dropped.ts). A hash the node no longer knows, below the mined
 *   nonce, is re-broadcast with the same bytes (up to `maxRebroadcasts`, then TX_DROPPED).
 * - **Reverts** (revert.ts). Never re-sent: decoded by replaying the call on its block's state
 *   (e.g. Settlement's AlreadySettled); TX_OUT_OF_GAS when the whole gas limit was used.
 * - **Fees** (fees.ts). One quote per `feeRefreshMs`, unless fixed fees are given.
 */
export class TxSender {
  readonly #ctx: SenderContext;

  private constructor(ctx: SenderContext) {
    this.#ctx = ctx;
  }

  static async start(options: TxSenderOptions): Promise<TxSender> {
    return new TxSender(await startSender(options));
  }

  get address(): string {
    return this.#ctx.address;
  }

  get chainId(): bigint {
    return this.#ctx.chainId;
  }

  /** The nonce the next `send` gets. */
  get nonce(): number {
    return this.#ctx.nextNonce;
  }

  /**
   * Signs and broadcasts one transaction at the next nonce; resolves with its receipt once mined
   * with status 1, rejects with a PinbenchError otherwise (see the class comment for the codes).
   */
  send(request: TxSendRequest): Promise<TransactionReceipt> {
    return send(this.#ctx, request);
  }

  stats(): TxSenderStats {
    return stats(this.#ctx);
  }

  inFlight(): ReturnType<typeof inFlight> {
    return inFlight(this.#ctx);
  }

  timings(): TxTiming[] {
    return timings(this.#ctx);
  }

  drain(): Promise<void> {
    return drain(this.#ctx);
  }

  /**
   * After the node restarted from an older state (a chain.restart that killed anvil): sends
   * again, with their signed bytes, the transactions it no longer has. Resolves with how many.
   */
  recheckLostNonces(): Promise<number> {
    return recheckLostNonces(this.#ctx);
  }

  close(): void {
    close(this.#ctx);
  }
}
