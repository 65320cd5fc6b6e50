import { getAddress, isAddress, type TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { broadcast } from './broadcast.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe, fail } from './entries.ts';
import { FILLER_GAS } from './fill-nonce.ts';
import type { TxSendRequest } from './options.ts';
import { errorText } from './rpc.ts';

/**
 * Takes the next nonce at once (so nonces follow the order of the calls), queues the broadcast
 * behind the earlier ones, and resolves with the receipt once mined with status 1.
 */
export function send(ctx: SenderContext, request: TxSendRequest): Promise<TransactionReceipt> {
  if (ctx.closed) return Promise.reject(new PinbenchError('TX_SENDER_CLOSED', `tx "${request.label}" not sent: the TxSender was closed; start a new one`));
  if (ctx.broken) return Promise.reject(ctx.broken);
  if (request.to !== null && !isAddress(request.to)) {
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
    nonce: ctx.nextNonce++,
    request: { ...request, to: request.to === null ? null : getAddress(request.to) },
    state: 'queued',
    sendAttempts: 0,
    rebroadcasts: 0,
    lastCheckMs: 0,
    resolve,
    reject,
    promise,
  };
  ctx.entries.set(entry.nonce, entry);
  ctx.broadcastQueue = ctx.broadcastQueue.then(() => broadcast(ctx, entry)).catch((error) => {
    // broadcast handles its own errors; this is a bug guard so one entry cannot stall the queue
    fail(ctx, entry, error instanceof PinbenchError ? error : new PinbenchError('TX_SEND_FAILED', `${describe(entry)}: ${errorText(error)}`, { cause: error }));
  });
  return promise;
}
