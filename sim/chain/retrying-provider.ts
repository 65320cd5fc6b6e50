import { FetchRequest, isError, JsonRpcProvider, type JsonRpcApiProviderOptions, type JsonRpcPayload, type JsonRpcResult, type Networkish } from 'ethers';
import { silentLogger, type Logger } from '../../core/ports.ts';

/**
 * How a run's JSON-RPC requests survive an endpoint that loses some of them (a hosted provider
 * behind a load balancer drops connections, answers 502/503, or never answers).
 */
export interface RpcRetryPolicy {
  /** Tries of one HTTP request, the first included. */
  attempts: number;
  /** One try gives up after this long and counts as failed (ethers' own default is 300 s). */
  attemptTimeoutMs: number;
  /** Wait before retry n: min(initialMs · 2^(n−1), maxMs). */
  backoff: { initialMs: number; maxMs: number };
}

/**
 * A try times out in half the transaction sender's request timeout (contracts/tx/, 10 s): a
 * request the endpoint holds is then sent again, and answered, before the sender's own deadline
 * fails it. A sender start or a fee quote is asked once and would fail its transaction.
 */
export const DEFAULT_RPC_RETRY: RpcRetryPolicy = { attempts: 5, attemptTimeoutMs: 5_000, backoff: { initialMs: 100, maxMs: 2_000 } };

/** Socket codes of a connection that died or was refused before an answer came. */
const TRANSPORT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Methods that change the node's state on every call: a retry after a lost answer would do it
 * twice. Everything a run sends today is safe to repeat: reads, signed raw transactions (the
 * same bytes are the same transaction; the node says "already known") and anvil_setBalance.
 */
const NOT_REPEATABLE = new Set(['eth_sendTransaction', 'evm_mine', 'anvil_mine', 'evm_increaseTime', 'evm_snapshot', 'evm_revert', 'anvil_revert', 'anvil_snapshot']);

/**
 * Whether a failed HTTP request is worth sending again: no answer (connection reset, refused,
 * hung up), no answer in time, or a gateway's 5xx. A JSON-RPC error inside a 200 answer is
 * the node's word and is not retried (it is not an error of `_send` at all).
 */
export function isTransientTransportError(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown }; info?: { responseStatus?: unknown } } | null;
  if (typeof e?.code === 'string' && TRANSPORT_CODES.has(e.code)) return true;
  if (typeof e?.cause?.code === 'string' && TRANSPORT_CODES.has(e.cause.code)) return true;
  if (isError(error, 'TIMEOUT')) return true;
  if (isError(error, 'SERVER_ERROR')) {
    // FetchResponse.assertOk: info.responseStatus is "502 Bad Gateway" and the like.
    const status = Number.parseInt(String(e?.info?.responseStatus ?? ''), 10);
    return status >= 500 && status <= 599;
  }
  return error instanceof Error && /socket hang up|other side closed/i.test(error.message);
}

function methodsOf(payload: JsonRpcPayload | JsonRpcPayload[]): string[] {
  return (Array.isArray(payload) ? payload : [payload]).map((p) => p.method);
}

/**
 * An ethers JsonRpcProvider whose HTTP requests (single or batched) are sent again when the
 * transport failed (see isTransientTransportError), with backoff, and time out per try. ethers
 * alone retries only HTTP 429: one dropped connection under a read such as `isSettled` would
 * end the run. The transaction sender (contracts/tx/) keeps its own, longer view on top of this
 * one: an unreachable node is waited for there (maxOutageMs), so the last transport error is
 * passed up unchanged.
 */
export class RetryingJsonRpcProvider extends JsonRpcProvider {
  readonly #policy: RpcRetryPolicy;
  readonly #logger: Logger;
  readonly #sleep: (ms: number) => Promise<void>;
  /** HTTP requests sent again after a transport failure. */
  retries = 0;

  constructor(
    url: string,
    network: Networkish | undefined,
    options: JsonRpcApiProviderOptions,
    retry: { policy?: RpcRetryPolicy; logger?: Logger; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    const policy = retry.policy ?? DEFAULT_RPC_RETRY;
    const request = new FetchRequest(url);
    request.timeout = policy.attemptTimeoutMs;
    super(request, network, options);
    this.#policy = policy;
    this.#logger = retry.logger ?? silentLogger;
    this.#sleep = retry.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** One try; the seam the retry loop wraps (and a unit test replaces). */
  protected sendOnce(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Array<JsonRpcResult>> {
    return super._send(payload) as Promise<Array<JsonRpcResult>>;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Array<JsonRpcResult>> {
    const methods = methodsOf(payload);
    const repeatable = methods.every((m) => !NOT_REPEATABLE.has(m));
    const { attempts, backoff } = this.#policy;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOnce(payload);
      } catch (error) {
        if (!repeatable || attempt >= attempts || this.destroyed || !isTransientTransportError(error)) throw error;
        const waitMs = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
        this.retries++;
        this.#logger.debug(`rpc: ${methods.join(', ')} failed (${(error as Error).message.split('\n')[0]}); try ${attempt + 1}/${attempts} in ${waitMs} ms`);
        await this.#sleep(waitMs);
      }
    }
  }
}
