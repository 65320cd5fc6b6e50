import type { TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { decodeContractError } from '../errors.ts';
import type { Entry, SenderContext } from './context.ts';
import { describe, detailsOf } from './entries.ts';
import { errorText, nodeMessage } from './rpc.ts';
import { withTimeout } from './timeout.ts';

/** Node answers to a call on a block whose state it no longer keeps (anvil, geth). */
const STATE_PRUNED = /BlockOutOfRange|state (is )?not available|missing trie node|historical state/i;

/**
 * Why a mined transaction reverted. A receipt carries no revert data, so the call is replayed
 * (`eth_call`) on the state of its block and the answer decoded with the sender's ABIs and the
 * request's (contracts/errors.ts). A transaction that used its whole gas limit ran out of gas.
 */
export async function revertError(ctx: SenderContext, entry: Entry, receipt: TransactionReceipt): Promise<PinbenchError> {
  const { request } = entry;
  const where = `${describe(entry)} reverted in block ${receipt.blockNumber}`;
  const details = { ...detailsOf(entry), blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
  if (receipt.gasUsed >= request.gasLimit) {
    return new PinbenchError('TX_OUT_OF_GAS', `${where} after using its whole gas limit (${request.gasLimit}): it ran out of gas; raise its gasLimit`, {
      details,
    });
  }
  const replay = (blockTag: number | 'latest') =>
    withTimeout(
      ctx.provider.call({
        from: ctx.address,
        to: request.to,
        data: request.data ?? '0x',
        value: request.value ?? 0n,
        gasLimit: request.gasLimit,
        blockTag,
      }),
      ctx.config.requestTimeoutMs,
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
    const decoded = decodeContractError(error, { ...ctx.decodeWith, ...request.decodeWith });
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
