import type { Signer, TransactionRequest } from 'ethers';
import { decodeContractError, type ContractLike } from '../errors.ts';

/**
 * The node's gas estimate for a call from the signer's account, for callers that give no gas
 * limit. A call that would revert fails here, before anything is signed, with the contract's
 * custom error decoded with `decodeWith`. Only for calls whose cost does not depend on
 * transactions still in flight: the sender itself never estimates.
 */
export async function estimateGasLimit(signer: Signer, request: TransactionRequest, decodeWith: Record<string, ContractLike>): Promise<bigint> {
  try {
    return await signer.estimateGas(request);
  } catch (error) {
    throw decodeContractError(error, decodeWith);
  }
}
