import type { FeeData, Provider, TransactionRequest } from 'ethers';
import { realTxClock, type TxClock } from './clock.ts';
import { withTimeout } from './timeout.ts';

/** EIP-1559 fee fields (or a legacy gas price for nodes without a base fee). */
export type TxFees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };

/** Fees to sign the next transaction with. */
export type FeeQuote = () => Promise<TxFees>;

/**
 * The node's fees (ethers getFeeData), asked again only once the last answer is `maxAgeMs`
 * old: a quote per transaction would double the round trips of a burst, one quote forever
 * could fall behind a rising base fee. Callers asking at the same time share one request; a
 * failed request is not kept, so the next caller asks again.
 */
export function createFeeQuote(
  provider: Pick<Provider, 'getFeeData'>,
  options: { maxAgeMs: number; timeoutMs?: number; clock?: TxClock },
): FeeQuote {
  const clock = options.clock ?? realTxClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let last: { atMs: number; fees: Promise<TxFees> } | undefined;
  return () => {
    const now = clock.nowMs();
    if (last !== undefined && now - last.atMs < options.maxAgeMs) return last.fees;
    const quote = { atMs: now, fees: withTimeout(provider.getFeeData(), timeoutMs, 'getFeeData').then(txFeesOf) };
    last = quote;
    quote.fees.catch(() => {
      if (last === quote) last = undefined;
    });
    return quote.fees;
  };
}

export function fixedFeeQuote(fees: TxFees): FeeQuote {
  return () => Promise.resolve(fees);
}

function txFeesOf(data: FeeData): TxFees {
  if (data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
    return { maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas };
  }
  if (data.gasPrice !== null) return { gasPrice: data.gasPrice };
  throw new Error('the node reported no fee data');
}

/** The transaction type follows the fees: 0 for a legacy gas price, 2 (EIP-1559) otherwise. */
export function feeFields(fees: TxFees): TransactionRequest {
  return 'gasPrice' in fees ? { type: 0, gasPrice: fees.gasPrice } : { type: 2, ...fees };
}

/** The higher of two quotes, field by field, so a filler is never priced below what it replaces. */
export function maxFees(a: TxFees | undefined, b: TxFees | undefined): TxFees | undefined {
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
