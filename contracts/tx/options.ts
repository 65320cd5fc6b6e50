import type { JsonRpcApiProvider, Signer } from 'ethers';
import type { Logger } from '../../core/ports.ts';
import type { ContractLike } from '../errors.ts';
import type { TxClock } from './clock.ts';
import type { TxFees } from './fees.ts';

export interface TxSenderOptions {
  /** Signs every transaction (an ethers Wallet signs locally); its address is the sending account. */
  wallet: Signer;
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
  /**
   * How long the node may be unreachable (connection refused or reset: stopped, restarting)
   * while sends and confirmations wait for it without counting failed attempts; default 120,000.
   * 0 counts every such failure at once, as any other.
   */
  maxOutageMs?: number;
  /** ABIs to decode reverts with, keyed by the name to show, e.g. `{ settlement, registry, token }`. */
  decodeWith?: Record<string, ContractLike>;
  logger?: Logger;
  clock?: TxClock;
}

export interface TxSendRequest {
  /** The contract or account called; null creates a contract (`data` is its init code). */
  to: string | null;
  data?: string;
  value?: bigint;
  /** Explicit gas limit: nothing is estimated (an estimate may not hold before earlier txs are mined). */
  gasLimit: bigint;
  /** Names the transaction in logs, errors and timings, e.g. `settle epoch 3 batch 7`. */
  label: string;
  /** More ABIs to decode this transaction's revert with, on top of the sender's `decodeWith`. */
  decodeWith?: Record<string, ContractLike>;
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
  /** Times the node became unreachable and was waited for. */
  outages: number;
  /**
   * Nonces the chain lost (it came back from an older state, e.g. anvil killed and restarted
   * from its last saved state) whose transactions were sent again with the same bytes (or, when
   * those were no longer kept, a 0-value self-transfer), so later transactions go on.
   */
  lostNoncesResent: number;
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
