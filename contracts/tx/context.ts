import type { JsonRpcApiProvider, Signer, TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/ports.ts';
import type { ContractLike } from '../errors.ts';
import { createFeeQuote, fixedFeeQuote, type FeeQuote, type TxFees } from './fees.ts';
import { realTxClock, type TxClock } from './clock.ts';
import type { TxSenderOptions, TxSenderStats, TxSendRequest, TxTiming } from './options.ts';

/** The options with their defaults, merged once when the sender starts. */
export interface SenderConfig {
  feeRefreshMs: number;
  pollIntervalMs: number;
  dropCheckMs: number;
  maxSendAttempts: number;
  maxRebroadcasts: number;
  requestTimeoutMs: number;
  maxPollFailures: number;
  maxOutageMs: number;
  backoff: { initialMs: number; maxMs: number };
}

/** One transaction from `send` until it is mined, reverted or failed. */
export interface Entry {
  label: string;
  nonce: number;
  /** `to` already checksummed. */
  request: TxSendRequest;
  state: 'queued' | 'pending' | 'done';
  raw?: string;
  hash?: string;
  fees?: TxFees;
  /** The 0-value self-transfer that fills this nonce after the send failed. */
  filler?: { raw: string; hash: string };
  sendError?: unknown;
  /** A transaction mined before the chain lost it, sent again with its bytes (rollback.ts): its caller already has a receipt. */
  resentAfterRollback?: boolean;
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

/**
 * Everything one account's pipeline shares: the functions of contracts/tx/ take it first, so
 * each concern (broadcast, confirmation, drops, reverts) stays a plain function in its own file.
 */
export interface SenderContext {
  readonly address: string;
  readonly chainId: bigint;
  readonly signer: Signer;
  readonly provider: JsonRpcApiProvider;
  readonly logger: Logger;
  readonly clock: TxClock;
  readonly config: SenderConfig;
  readonly decodeWith: Record<string, ContractLike>;
  readonly fees: FeeQuote;
  /** Unsettled transactions by nonce. */
  readonly entries: Map<number, Entry>;
  /** Signed bytes of the latest mined transactions by nonce, to send again if the chain loses them (rollback.ts). */
  readonly mined: Map<number, { label: string; raw: string; hash: string }>;
  readonly counters: Omit<TxSenderStats, 'pending'>;
  readonly records: TxTiming[];
  nextNonce: number;
  /** Broadcasts run one at a time in nonce order, so the node never sees a nonce gap. */
  broadcastQueue: Promise<void>;
  polling: boolean;
  pollFailures: number;
  /** When the node stopped answering (connection refused or reset); undefined while it answers. */
  outageSinceMs: number | undefined;
  closed: boolean;
  /** Set when a nonce could be neither used nor filled: every later transaction is stuck. */
  broken: PinbenchError | undefined;
  /**
   * Called by the confirmation loop when pending transactions look stale, with the chain's mined
   * nonce (rollback.ts re-sends the nonces a rollback lost). Passed in by start.ts rather than
   * imported by confirm.ts, because re-sending goes through broadcast, which starts the loop.
   */
  readonly onStale: (minedNonce: number) => void;
}

export function senderConfig(options: TxSenderOptions): SenderConfig {
  const config: SenderConfig = {
    feeRefreshMs: options.feeRefreshMs ?? 60_000,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    dropCheckMs: options.dropCheckMs ?? 1_000,
    maxSendAttempts: options.maxSendAttempts ?? 5,
    maxRebroadcasts: options.maxRebroadcasts ?? 5,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    maxPollFailures: options.maxPollFailures ?? 100,
    maxOutageMs: options.maxOutageMs ?? 120_000,
    backoff: options.backoff ?? { initialMs: 100, maxMs: 2_000 },
  };
  for (const key of ['maxSendAttempts', 'pollIntervalMs', 'requestTimeoutMs', 'maxPollFailures'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new PinbenchError('INVALID_ARGUMENT', `option ${key}: expected a positive integer, got ${config[key]}`);
    }
  }
  if (!Number.isInteger(config.maxOutageMs) || config.maxOutageMs < 0) {
    throw new PinbenchError('INVALID_ARGUMENT', `option maxOutageMs: expected a whole number of ms ≥ 0, got ${config.maxOutageMs}`);
  }
  return config;
}

export function createContext(
  options: TxSenderOptions,
  config: SenderConfig,
  chain: { provider: JsonRpcApiProvider; address: string; chainId: bigint; firstNonce: number },
  onStale: (ctx: SenderContext, minedNonce: number) => void,
): SenderContext {
  const clock = options.clock ?? realTxClock;
  const ctx: SenderContext = {
    address: chain.address,
    chainId: chain.chainId,
    signer: options.wallet,
    provider: chain.provider,
    logger: options.logger ?? silentLogger,
    clock,
    config,
    decodeWith: options.decodeWith ?? {},
    fees: options.fees
      ? fixedFeeQuote(options.fees)
      : createFeeQuote(chain.provider, { maxAgeMs: config.feeRefreshMs, timeoutMs: config.requestTimeoutMs, clock }),
    entries: new Map(),
    mined: new Map(),
    counters: { sent: 0, confirmed: 0, reverted: 0, failed: 0, rebroadcast: 0, retried: 0, gapFilled: 0, outages: 0, lostNoncesResent: 0 },
    records: [],
    nextNonce: chain.firstNonce,
    broadcastQueue: Promise.resolve(),
    polling: false,
    pollFailures: 0,
    outageSinceMs: undefined,
    closed: false,
    broken: undefined,
    onStale: (minedNonce) => onStale(ctx, minedNonce),
  };
  return ctx;
}
