import {
  getAddress,
  isAddress,
  keccak256,
  isError,
  type JsonRpcApiProvider,
  type TransactionReceipt,
  type TransactionRequest,
  type Wallet,
} from 'ethers';
import { PinbenchError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import { decodeContractError, type ContractLike } from './errors.ts';

/**
 * One account's transaction pipeline (issue 5, "Settlement"): every transaction is signed locally
 * with an explicit nonce, gas limit, chain id and fees, broadcast as raw bytes without waiting
 * for earlier ones to be mined, and confirmed by one polling loop for all of them.
 *
 * - **Nonces.** The account's pending nonce is read once (`TxSender.start`); after that the
 *   sender assigns them itself, in the order `send` is called. Nothing else may send from the
 *   account (a transaction whose nonce is taken by another one fails with TX_REPLACED).
 * - **Broadcast order.** Broadcasts go out one at a time in nonce order (each waits for the
 *   node's answer to `eth_sendRawTransaction`, ~1 ms on a local node, never for mining), so the
 *   node never sees a nonce gap while retries are running.
 * - **Failed sends.** A send that fails on the RPC (connection refused, timeout, unknown node
 *   error) is retried with the same signed bytes and exponential backoff; re-sending the same
 *   bytes is harmless if an earlier attempt did reach the node ("already imported", "nonce too
 *   low" and "replacement underpriced" are taken as "the node has a transaction at this nonce"
 *   and left to the confirmation loop). Rejections that the same bytes cannot get past
 *   (insufficient funds, intrinsic gas too low, ...) are not retried.
 * - **Burned nonces.** When a transaction cannot be sent after `maxSendAttempts`, its nonce is
 *   filled with a 0-value self-transfer (21,000 gas) at the same nonce and fees, so the
 *   transactions after it are not stuck and keep their signed bytes and hashes. Whichever of the
 *   two gets mined decides: the original (an attempt reached the node after all) resolves
 *   normally; the filler rejects the original with TX_SEND_FAILED. Re-signing the later
 *   transactions one nonce down was rejected: their hashes would change while they may already
 *   be in the pool, and a late original would then collide with them. When the filler cannot be
 *   sent either, the sender is broken: the transaction rejects with TX_SEND_FAILED, every later
 *   one with TX_NONCE_GAP, and `send` refuses with TX_NONCE_GAP; start a new TxSender once the
 *   node answers again (it re-reads the pending nonce).
 * - **Dropped transactions.** A pending transaction whose hash the node no longer knows, while
 *   the account's mined nonce has not passed it, is re-broadcast with the same signed bytes (up
 *   to `maxRebroadcasts` times, then TX_DROPPED).
 * - **Reverts.** A mined transaction with status 0 is never re-sent: it rejects with the
 *   contract's custom error, decoded by replaying the call (`eth_call`) on the state of the block
 *   it was mined in, with the ABIs in `decodeWith` (e.g. Settlement's AlreadySettled). A
 *   transaction that used its whole gas limit rejects with TX_OUT_OF_GAS.
 */

/** Time source and sleep; injectable for tests. */
export interface TxClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const realTxClock: TxClock = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** EIP-1559 fee fields (or a legacy gas price for nodes without a base fee). */
export type TxFees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };

export interface TxSenderOptions {
  /** Signs every transaction; its address is the sending account. */
  wallet: Wallet;
  /** JSON-RPC provider to talk to; default `wallet.provider` (must be an ethers JsonRpcApiProvider). */
  provider?: JsonRpcApiProvider;
  /** Chain id to sign for; default asked once with eth_chainId. */
  chainId?: bigint;
  /** Fixed fees; default the node's fee data (ethers getFeeData), fetched once and refreshed every `feeRefreshMs`. */
  fees?: TxFees;
  /** Default 60,000. */
  feeRefreshMs?: number;
  /** How often the confirmation loop asks for receipts; default 100. */
  pollIntervalMs?: number;
  /** How long a pending transaction goes between "does the node still know it" checks; default 1,000. */
  dropCheckMs?: number;
  /** Attempts to broadcast one transaction (the first send included); default 5. */
  maxSendAttempts?: number;
  /** Backoff before retry n: min(initialMs · 2^(n−1), maxMs); default 100 ms and 2,000 ms. */
  backoff?: { initialMs: number; maxMs: number };
  /** Re-broadcasts of a dropped transaction before giving up; default 5. */
  maxRebroadcasts?: number;
  /** Each RPC request fails (and counts as a failed attempt) after this long; default 10,000. */
  requestTimeoutMs?: number;
  /** Consecutive failed confirmation rounds before every pending transaction is failed; default 100. */
  maxPollFailures?: number;
  /** ABIs to decode reverts with, keyed by the name to show, e.g. `{ settlement, registry, token }`. */
  decodeWith?: Record<string, ContractLike>;
  logger?: Logger;
  clock?: TxClock;
}

export interface TxSendRequest {
  to: string;
  data?: string;
  value?: bigint;
  /** Explicit gas limit: nothing is estimated (an estimate may not hold before earlier txs are mined). */
  gasLimit: bigint;
  /** Names the transaction in logs, errors and timings, e.g. `settle epoch 3 batch 7`. */
  label: string;
}

export interface TxSenderStats {
  /** Transactions the node accepted (counted once per transaction). */
  sent: number;
  /** Mined with status 1. */
  confirmed: number;
  /** Mined with status 0 (or out of gas). */
  reverted: number;
  /** Failed without a receipt of their own: could not be sent, dropped too often, nonce taken, sender closed. */
  failed: number;
  /** Re-broadcasts of transactions the node had dropped. */
  rebroadcast: number;
  /** Send attempts after a failed one (RPC errors, timeouts). */
  retried: number;
  /** Burned nonces filled with a 0-value self-transfer. */
  gapFilled: number;
  /** Not yet settled (queued, being sent or waiting for a receipt). */
  pending: number;
}

export interface TxTiming {
  label: string;
  nonce: number;
  hash: string | undefined;
  status: 'mined' | 'reverted' | 'failed';
  /** When the node first accepted the transaction (clock ms); undefined if it never did. */
  sentAtMs: number | undefined;
  /** When the confirmation loop saw the receipt (so up to one poll interval late). */
  minedAtMs: number | undefined;
  /** minedAtMs − sentAtMs. */
  ms: number | undefined;
  sendAttempts: number;
  rebroadcasts: number;
  gasUsed: bigint | undefined;
}

type EntryState = 'queued' | 'pending' | 'done';

interface Entry {
  label: string;
  nonce: number;
  request: TxSendRequest;
  state: EntryState;
  raw?: string;
  hash?: string;
  fees?: TxFees;
  /** The 0-value self-transfer that fills this nonce after the send failed. */
  filler?: { raw: string; hash: string };
  sendError?: unknown;
  /** Attempts made to send the transaction itself before its nonce was filled. */
  failedAttempts?: number;
  sendAttempts: number;
  rebroadcasts: number;
  sentAtMs?: number;
  lastCheckMs: number;
  resolve(receipt: TransactionReceipt): void;
  reject(error: unknown): void;
  promise: Promise<TransactionReceipt>;
}

const FILLER_GAS = 21_000n;

/** Node answers that mean "there is already a transaction at this nonce": let the confirmation loop decide. */
const KNOWN = /already (imported|known)|known transaction|transaction already exists|nonce (is )?too low|replacement transaction underpriced|NONCE_EXPIRED|REPLACEMENT_UNDERPRICED/i;
/** Node answers to a call on a block whose state it no longer keeps (anvil, geth). */
const STATE_PRUNED = /BlockOutOfRange|state (is )?not available|missing trie node|historical state/i;
/** Node answers the same bytes can never get past. */
const REJECTED = /insufficient funds|intrinsic gas too low|exceeds block gas limit|gas limit reached|invalid sender|invalid chain ?id|incorrect chain ?id|oversized data|tip above fee cap|max priority fee per gas higher than max fee per gas|INSUFFICIENT_FUNDS/i;

export class TxSender {
  readonly address: string;
  readonly chainId: bigint;
  private readonly wallet: Wallet;
  private readonly provider: JsonRpcApiProvider;
  private readonly logger: Logger;
  private readonly clock: TxClock;
  private readonly opts: Required<Pick<TxSenderOptions, 'feeRefreshMs' | 'pollIntervalMs' | 'dropCheckMs' | 'maxSendAttempts' | 'maxRebroadcasts' | 'requestTimeoutMs' | 'maxPollFailures' | 'backoff'>>;
  private readonly decodeWith: Record<string, ContractLike>;
  private readonly fixedFees: TxFees | undefined;
  private fees: { value: TxFees; atMs: number } | undefined;
  private nextNonce: number;
  private readonly entries = new Map<number, Entry>();
  private broadcastQueue: Promise<void> = Promise.resolve();
  private polling = false;
  private pollFailures = 0;
  private closed = false;
  private broken: PinbenchError | undefined;
  private readonly counters = { sent: 0, confirmed: 0, reverted: 0, failed: 0, rebroadcast: 0, retried: 0, gapFilled: 0 };
  private readonly records: TxTiming[] = [];

  private constructor(options: TxSenderOptions, provider: JsonRpcApiProvider, chainId: bigint, firstNonce: number) {
    this.wallet = options.wallet;
    this.address = options.wallet.address;
    this.provider = provider;
    this.chainId = chainId;
    this.nextNonce = firstNonce;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? realTxClock;
    this.decodeWith = options.decodeWith ?? {};
    this.fixedFees = options.fees;
    this.opts = {
      feeRefreshMs: options.feeRefreshMs ?? 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      dropCheckMs: options.dropCheckMs ?? 1_000,
      maxSendAttempts: options.maxSendAttempts ?? 5,
      maxRebroadcasts: options.maxRebroadcasts ?? 5,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxPollFailures: options.maxPollFailures ?? 100,
      backoff: options.backoff ?? { initialMs: 100, maxMs: 2_000 },
    };
    for (const key of ['maxSendAttempts', 'pollIntervalMs', 'requestTimeoutMs', 'maxPollFailures'] as const) {
      if (!Number.isInteger(this.opts[key]) || this.opts[key] < 1) {
        throw new PinbenchError('INVALID_ARGUMENT', `option ${key}: expected a positive integer, got ${this.opts[key]}`);
      }
    }
  }

  /** Reads the chain id (unless given) and the account's pending nonce, once. */
  static async start(options: TxSenderOptions): Promise<TxSender> {
    const provider = options.provider ?? (options.wallet.provider as JsonRpcApiProvider | null);
    if (!provider || typeof provider.send !== 'function') {
      throw new PinbenchError(
        'NO_PROVIDER',
        'TxSender needs a JSON-RPC provider: create the wallet with new Wallet(key, jsonRpcProvider) or pass options.provider',
      );
    }
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    try {
      const chainId = options.chainId ?? BigInt((await withTimeout(provider.send('eth_chainId', []), timeoutMs, 'eth_chainId')) as string);
      const pending = Number(
        await withTimeout(provider.send('eth_getTransactionCount', [options.wallet.address, 'pending']), timeoutMs, 'eth_getTransactionCount'),
      );
      return new TxSender(options, provider, chainId, pending);
    } catch (cause) {
      if (cause instanceof PinbenchError && cause.code === 'INVALID_ARGUMENT') throw cause;
      throw new PinbenchError(
        'CHAIN_REQUEST_FAILED',
        `TxSender could not read the chain id and pending nonce of ${options.wallet.address}: ${errorText(cause)}; check that the node is running`,
        { cause },
      );
    }
  }

  /** The nonce the next `send` gets. */
  get nonce(): number {
    return this.nextNonce;
  }

  /**
   * Signs and broadcasts one transaction at the next nonce; resolves with its receipt once mined
   * with status 1, rejects with a PinbenchError otherwise (see the class comment for the codes).
   */
  send(request: TxSendRequest): Promise<TransactionReceipt> {
    if (this.closed) return Promise.reject(new PinbenchError('TX_SENDER_CLOSED', `tx "${request.label}" not sent: the TxSender was closed; start a new one`));
    if (this.broken) return Promise.reject(this.broken);
    if (!isAddress(request.to)) {
      return Promise.reject(new PinbenchError('INVALID_ARGUMENT', `tx "${request.label}": option to: expected a 0x address, got ${JSON.stringify(request.to)}`));
    }
    if (typeof request.gasLimit !== 'bigint' || request.gasLimit < FILLER_GAS) {
      return Promise.reject(
        new PinbenchError('INVALID_ARGUMENT', `tx "${request.label}": option gasLimit: expected a bigint of at least 21000, got ${String(request.gasLimit)}`),
      );
    }
    let resolve!: (r: TransactionReceipt) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<TransactionReceipt>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = {
      label: request.label,
      nonce: this.nextNonce++,
      request: { ...request, to: getAddress(request.to) },
      state: 'queued',
      sendAttempts: 0,
      rebroadcasts: 0,
      lastCheckMs: 0,
      resolve,
      reject,
      promise,
    };
    this.entries.set(entry.nonce, entry);
    this.broadcastQueue = this.broadcastQueue.then(() => this.broadcast(entry)).catch((error) => {
      // broadcast handles its own errors; this is a bug guard so one entry cannot stall the queue
      this.fail(entry, error instanceof PinbenchError ? error : new PinbenchError('TX_SEND_FAILED', `${describe(entry)}: ${errorText(error)}`, { cause: error }));
    });
    return promise;
  }

  stats(): TxSenderStats {
    return { ...this.counters, pending: this.entries.size };
  }

  /** Transactions not yet settled, by nonce: hash is undefined until signed. */
  inFlight(): Array<{ label: string; nonce: number; hash: string | undefined; state: 'queued' | 'pending'; fillerHash: string | undefined }> {
    return [...this.entries.values()]
      .filter((e) => e.state !== 'done')
      .sort((a, b) => a.nonce - b.nonce)
      .map((e) => ({ label: e.label, nonce: e.nonce, hash: e.hash, state: e.state as 'queued' | 'pending', fillerHash: e.filler?.hash }));
  }

  /** One record per settled transaction, in the order they settled. */
  timings(): TxTiming[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Resolves when every transaction sent so far has settled (mined, reverted or failed). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => e.promise));
  }

  /** Stops the confirmation loop; outstanding transactions reject with TX_SENDER_CLOSED (they may still be mined). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of [...this.entries.values()]) {
      this.fail(
        entry,
        new PinbenchError(
          'TX_SENDER_CLOSED',
          `${describe(entry)} was not confirmed before the TxSender was closed; it may still be mined: check its hash before sending it again`,
          { details: detailsOf(entry) },
        ),
      );
    }
  }

  // ---- broadcasting ------------------------------------------------------------------------

  private async broadcast(entry: Entry): Promise<void> {
    if (entry.state !== 'queued') return;
    if (this.broken) {
      this.fail(entry, this.gapError(entry));
      return;
    }
    const outcome = await this.sendWithRetries(entry, async () => {
      if (entry.raw === undefined) await this.sign(entry);
      return entry.raw!;
    });
    if (entry.state !== 'queued') return; // closed meanwhile
    if (outcome.ok) {
      this.markPending(entry);
      return;
    }
    entry.sendError = outcome.error;
    entry.failedAttempts = entry.sendAttempts;
    await this.fillNonce(entry, outcome.error);
  }

  /** Sends raw bytes with retries; `ok` also when the node already has a transaction at this nonce. */
  private async sendWithRetries(entry: Entry, raw: () => Promise<string>): Promise<{ ok: true } | { ok: false; error: unknown }> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.opts.maxSendAttempts; attempt++) {
      if (attempt > 1) {
        this.counters.retried++;
        await this.clock.sleep(Math.min(this.opts.backoff.initialMs * 2 ** (attempt - 2), this.opts.backoff.maxMs));
      }
      if (this.closed) return { ok: false, error: new Error('TxSender closed') };
      entry.sendAttempts++;
      try {
        const bytes = await raw();
        await this.rpc('eth_sendRawTransaction', [bytes]);
        return { ok: true };
      } catch (error) {
        const kind = classifySendError(error);
        if (kind === 'known') {
          this.logger.debug(`tx: ${describe(entry)}: node already has a transaction at nonce ${entry.nonce} (${errorText(error)})`);
          return { ok: true };
        }
        lastError = error;
        if (kind === 'rejected') break;
        this.logger.warn(`tx: ${describe(entry)}: send attempt ${attempt}/${this.opts.maxSendAttempts} failed: ${errorText(error)}`);
      }
    }
    return { ok: false, error: lastError };
  }

  private markPending(entry: Entry): void {
    if (entry.state !== 'queued') return;
    entry.state = 'pending';
    if (entry.sentAtMs === undefined) {
      entry.sentAtMs = this.clock.nowMs();
      if (entry.filler === undefined) this.counters.sent++;
    }
    entry.lastCheckMs = this.clock.nowMs();
    this.logger.debug(`tx: sent ${describe(entry)}`);
    this.ensurePolling();
  }

  /** The nonce is burned: fill it with a 0-value self-transfer so that later transactions are not stuck. */
  private async fillNonce(entry: Entry, sendError: unknown): Promise<void> {
    let filler: { raw: string; hash: string } | undefined;
    const outcome = await this.sendWithRetries(entry, async () => {
      if (filler === undefined) {
        const current = await this.currentFees().catch(() => undefined);
        const fees = maxFees(entry.fees, current);
        if (fees === undefined) throw new Error('no fee data to sign the filler with');
        const raw = await this.wallet.signTransaction({
          ...this.feeFields(fees),
          to: this.address,
          value: 0n,
          data: '0x',
          gasLimit: FILLER_GAS,
          nonce: entry.nonce,
          chainId: this.chainId,
        });
        filler = { raw, hash: hashOfRaw(raw) };
      }
      return filler.raw;
    });
    if (entry.state !== 'queued') return;
    if (outcome.ok && filler !== undefined) {
      entry.filler = filler;
      this.counters.gapFilled++;
      this.logger.warn(
        `tx: ${describe(entry)} could not be sent (${errorText(sendError)}); nonce ${entry.nonce} filled with a 0-value self-transfer ${filler.hash}`,
      );
      this.markPending(entry);
      return;
    }
    const reason = errorText(sendError);
    this.broken = new PinbenchError(
      'TX_NONCE_GAP',
      `nonce ${entry.nonce} of ${this.address} could not be used or filled (${reason}): later transactions from this account are stuck; check that the node is reachable, then start a new TxSender (it re-reads the pending nonce) and send them again`,
      { details: { address: this.address, nonce: entry.nonce } },
    );
    this.fail(
      entry,
      new PinbenchError(
        'TX_SEND_FAILED',
        `${describe(entry)} could not be sent after ${plural(entry.failedAttempts ?? 0, 'attempt')} (${reason}) and nonce ${entry.nonce} could not be filled either (${errorText(outcome.ok ? 'unsigned' : outcome.error)}); check that the node is reachable and the account funded, then start a new TxSender and send it again`,
        { cause: sendError, details: detailsOf(entry) },
      ),
    );
    for (const later of [...this.entries.values()]) {
      if (later.nonce > entry.nonce) this.fail(later, this.gapError(later));
    }
  }

  private gapError(entry: Entry): PinbenchError {
    return new PinbenchError('TX_NONCE_GAP', `${describe(entry)} was not confirmed: ${this.broken!.message}`, {
      cause: this.broken,
      details: detailsOf(entry),
    });
  }

  private async sign(entry: Entry): Promise<void> {
    const fees = await this.currentFees();
    const tx: TransactionRequest = {
      ...this.feeFields(fees),
      to: entry.request.to,
      data: entry.request.data ?? '0x',
      value: entry.request.value ?? 0n,
      gasLimit: entry.request.gasLimit,
      nonce: entry.nonce,
      chainId: this.chainId,
    };
    entry.raw = await this.wallet.signTransaction(tx);
    entry.hash = hashOfRaw(entry.raw);
    entry.fees = fees;
  }

  private feeFields(fees: TxFees): TransactionRequest {
    return 'gasPrice' in fees ? { type: 0, gasPrice: fees.gasPrice } : { type: 2, ...fees };
  }

  private async currentFees(): Promise<TxFees> {
    if (this.fixedFees) return this.fixedFees;
    const now = this.clock.nowMs();
    if (this.fees && now - this.fees.atMs < this.opts.feeRefreshMs) return this.fees.value;
    const data = await withTimeout(this.provider.getFeeData(), this.opts.requestTimeoutMs, 'getFeeData');
    let value: TxFees;
    if (data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
      value = { maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas };
    } else if (data.gasPrice !== null) {
      value = { gasPrice: data.gasPrice };
    } else {
      throw new Error('the node reported no fee data');
    }
    this.fees = { value, atMs: now };
    return value;
  }

  // ---- confirmation ------------------------------------------------------------------------

  private ensurePolling(): void {
    if (this.polling || this.closed) return;
    this.polling = true;
    void this.pollLoop();
  }

  private async pollLoop(): Promise<void> {
    try {
      while (!this.closed && this.pendingEntries().length > 0) {
        await this.clock.sleep(this.opts.pollIntervalMs);
        if (this.closed) break;
        try {
          await this.tick();
          this.pollFailures = 0;
        } catch (error) {
          this.pollFailures++;
          this.logger.warn(`tx: confirmation round failed (${this.pollFailures}/${this.opts.maxPollFailures}): ${errorText(error)}`);
          if (this.pollFailures >= this.opts.maxPollFailures) {
            for (const entry of this.pendingEntries()) {
              this.fail(
                entry,
                new PinbenchError(
                  'TX_UNCONFIRMED',
                  `${describe(entry)} could not be confirmed: ${this.pollFailures} receipt polls in a row failed (${errorText(error)}); it may still be mined: check the node, then look its hash up before sending it again`,
                  { cause: error, details: detailsOf(entry) },
                ),
              );
            }
            this.pollFailures = 0;
          }
        }
      }
    } finally {
      this.polling = false;
      // A transaction may have become pending between the last check and leaving the loop.
      if (!this.closed && this.pendingEntries().length > 0) this.ensurePolling();
    }
  }

  private pendingEntries(): Entry[] {
    return [...this.entries.values()].filter((e) => e.state === 'pending');
  }

  /** One confirmation round for all pending transactions (ethers batches the concurrent requests). */
  private async tick(): Promise<void> {
    const pending = this.pendingEntries();
    const now = this.clock.nowMs();
    let minedNonce: Promise<number> | undefined;
    const latestNonce = (): Promise<number> =>
      (minedNonce ??= this.rpc('eth_getTransactionCount', [this.address, 'latest']).then((n) => Number(n)));
    const found = await Promise.all(pending.map((e) => this.findReceipt(e)));
    await Promise.all(
      pending.map(async (entry, i) => {
        const receipt = found[i];
        if (receipt) return this.settleMined(entry, receipt);
        if (now - entry.lastCheckMs < this.opts.dropCheckMs) return;
        entry.lastCheckMs = now;
        const known = await Promise.all(hashesOf(entry).map((h) => this.rpc('eth_getTransactionByHash', [h])));
        if (known.some((tx) => tx !== null)) return;
        if ((await latestNonce()) > entry.nonce) {
          // Mined between the receipt poll and now, or another transaction took the nonce.
          const late = await this.findReceipt(entry);
          if (late) return this.settleMined(entry, late);
          this.fail(
            entry,
            new PinbenchError(
              'TX_REPLACED',
              `${describe(entry)} was replaced: nonce ${entry.nonce} of ${this.address} was used by another transaction; give the TxSender an account nothing else sends from, then send it again`,
              { details: detailsOf(entry) },
            ),
          );
          return;
        }
        await this.rebroadcast(entry);
      }),
    );
  }

  private async findReceipt(entry: Entry): Promise<TransactionReceipt | null> {
    const receipts = await Promise.all(
      hashesOf(entry).map((h) => withTimeout(this.provider.getTransactionReceipt(h), this.opts.requestTimeoutMs, 'eth_getTransactionReceipt')),
    );
    return receipts.find((r) => r !== null) ?? null;
  }

  private async rebroadcast(entry: Entry): Promise<void> {
    if (entry.rebroadcasts >= this.opts.maxRebroadcasts) {
      this.fail(
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
    this.counters.rebroadcast++;
    // With a filler, the filler is what should take the nonce now.
    const raw = entry.filler?.raw ?? entry.raw!;
    this.logger.warn(`tx: ${describe(entry)} was dropped by the node; re-broadcasting (${entry.rebroadcasts}/${this.opts.maxRebroadcasts})`);
    try {
      await this.rpc('eth_sendRawTransaction', [raw]);
    } catch (error) {
      const kind = classifySendError(error);
      if (kind === 'known') return;
      if (kind === 'rejected') {
        this.fail(
          entry,
          new PinbenchError('TX_DROPPED', `${describe(entry)} was dropped and the node refused it again: ${errorText(error)}`, {
            cause: error,
            details: detailsOf(entry),
          }),
        );
        return;
      }
      // A transient failure: the next drop check tries again.
      this.counters.retried++;
      this.logger.warn(`tx: re-broadcast of ${describe(entry)} failed: ${errorText(error)}`);
    }
  }

  private async settleMined(entry: Entry, receipt: TransactionReceipt): Promise<void> {
    if (entry.state !== 'pending') return;
    if (entry.filler && receipt.hash === entry.filler.hash) {
      this.fail(
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
      this.finish(entry, 'mined', receipt);
      entry.resolve(receipt);
      return;
    }
    entry.state = 'done'; // no second settle while the replay runs
    const error = await this.revertError(entry, receipt);
    this.finish(entry, 'reverted', receipt);
    entry.reject(error);
  }

  /** Replays the reverted call on the state of its block to read the revert data. */
  private async revertError(entry: Entry, receipt: TransactionReceipt): Promise<PinbenchError> {
    const where = `${describe(entry)} reverted in block ${receipt.blockNumber}`;
    const details = { ...detailsOf(entry), blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    if (receipt.gasUsed >= entry.request.gasLimit) {
      return new PinbenchError('TX_OUT_OF_GAS', `${where} after using its whole gas limit (${entry.request.gasLimit}): it ran out of gas; raise its gasLimit`, {
        details,
      });
    }
    const replay = (blockTag: number | 'latest') =>
      withTimeout(
        this.provider.call({
          from: this.address,
          to: entry.request.to,
          data: entry.request.data ?? '0x',
          value: entry.request.value ?? 0n,
          gasLimit: entry.request.gasLimit,
          blockTag,
        }),
        this.opts.requestTimeoutMs,
        'eth_call',
      );
    // A node that keeps no past states (anvil --prune-history, a pruned full node) can only
    // replay on its latest state, which is still where a revert like AlreadySettled shows.
    let on = 'the state after that block';
    try {
      try {
        await replay(receipt.blockNumber);
      } catch (error) {
        if (!STATE_PRUNED.test(`${nodeMessage(error) ?? ''} ${errorText(error)}`)) throw error;
        on = 'the latest state (the node kept none for that block)';
        await replay('latest');
      }
    } catch (error) {
      const decoded = decodeContractError(error, this.decodeWith);
      if (decoded.code === 'CONTRACT_REVERTED') {
        return new PinbenchError('CONTRACT_REVERTED', `${where}: ${decoded.message}`, { cause: error, details: { ...decoded.details, ...details } });
      }
      return new PinbenchError('TX_REVERTED', `${where}; replaying it to read the reason failed: ${decoded.message}`, { cause: error, details });
    }
    return new PinbenchError(
      'TX_REVERTED',
      `${where}, but replaying it on ${on} does not revert: what it depended on changed since; send it again if it is still needed`,
      { details },
    );
  }

  private fail(entry: Entry, error: unknown, receipt?: TransactionReceipt): void {
    if (entry.state === 'done') return;
    this.finish(entry, 'failed', receipt);
    entry.reject(error);
  }

  private finish(entry: Entry, status: TxTiming['status'], receipt: TransactionReceipt | undefined): void {
    entry.state = 'done';
    this.entries.delete(entry.nonce);
    const minedAtMs = status === 'failed' ? undefined : this.clock.nowMs();
    if (status === 'mined') this.counters.confirmed++;
    else if (status === 'reverted') this.counters.reverted++;
    else this.counters.failed++;
    this.records.push({
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

  private rpc(method: string, params: unknown[]): Promise<unknown> {
    return withTimeout(this.provider.send(method, params), this.opts.requestTimeoutMs, method);
  }
}

/** 'known': the node has a transaction at this nonce; 'rejected': the same bytes will never pass; else retry. */
export function classifySendError(error: unknown): 'known' | 'rejected' | 'transient' {
  const text = [
    (error as { code?: unknown })?.code,
    errorText(error),
    nodeMessage(error),
  ].filter((s) => typeof s === 'string').join(' ');
  if (KNOWN.test(text)) return 'known';
  if (REJECTED.test(text)) return 'rejected';
  return 'transient';
}

function nodeMessage(error: unknown): string | undefined {
  const e = error as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } } | null;
  const message = e?.info?.error?.message ?? e?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(entry: Entry): string {
  return `tx "${entry.label}" (nonce ${entry.nonce}${entry.hash ? `, hash ${entry.hash}` : ''})`;
}

function detailsOf(entry: Entry): Record<string, unknown> {
  return { label: entry.label, nonce: entry.nonce, hash: entry.hash };
}

function hashesOf(entry: Entry): string[] {
  return [entry.hash, entry.filler?.hash].filter((h): h is string => h !== undefined);
}

/** A transaction's hash is the keccak256 of its signed serialization. */
function hashOfRaw(raw: string): string {
  return keccak256(raw);
}

function maxFees(a: TxFees | undefined, b: TxFees | undefined): TxFees | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if ('gasPrice' in a && 'gasPrice' in b) return { gasPrice: a.gasPrice > b.gasPrice ? a.gasPrice : b.gasPrice };
  if (!('gasPrice' in a) && !('gasPrice' in b)) {
    return {
      maxFeePerGas: a.maxFeePerGas > b.maxFeePerGas ? a.maxFeePerGas : b.maxFeePerGas,
      maxPriorityFeePerGas: a.maxPriorityFeePerGas > b.maxPriorityFeePerGas ? a.maxPriorityFeePerGas : b.maxPriorityFeePerGas,
    };
  }
  return a;
}

function errorText(error: unknown): string {
  if (error === undefined) return 'unknown error';
  if (!(error instanceof Error)) return String(error);
  if (isError(error, 'UNKNOWN_ERROR') || isError(error, 'NONCE_EXPIRED') || isError(error, 'REPLACEMENT_UNDERPRICED') || isError(error, 'INSUFFICIENT_FUNDS')) {
    const node = nodeMessage(error);
    if (node) return node;
  }
  const short = (error as { shortMessage?: string }).shortMessage;
  return short ?? error.message.split('\n')[0];
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PinbenchError('RPC_TIMEOUT', `${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
