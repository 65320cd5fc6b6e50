import type { Contract, Signer } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { TxSender } from './tx-sender.ts';

/**
 * Runs `use` with the caller's sender, or with one started for `signer` for this call only,
 * so a one-off deploy, registration, settlement or claim goes the same way as a run's. The
 * call's own sender is drained and closed after it, whether `use` succeeded or not.
 */
export async function withSender<T>(signer: Signer, sender: TxSender | undefined, use: (sender: TxSender) => Promise<T>): Promise<T> {
  if (sender !== undefined) {
    const from = await signer.getAddress();
    if (sender.address !== from) {
      throw new PinbenchError('INVALID_ARGUMENT', `option sender: it sends from ${sender.address}, not from the signer's account ${from}; pass the sender of the signer's account`);
    }
    return use(sender);
  }
  const own = await TxSender.start({ wallet: signer });
  try {
    return await use(own);
  } finally {
    await own.drain();
    own.close();
  }
}

/** The signer a contract is connected to: the account its transactions are sent from. */
export function signerOf(contract: Contract): Signer {
  const runner = contract.runner as Signer | null;
  if (!runner || typeof runner.sendTransaction !== 'function' || !runner.provider) {
    throw new PinbenchError('NO_SIGNER', 'the contract is not connected to a signer with a provider: use contract.connect(operatorSigner)');
  }
  return runner;
}
