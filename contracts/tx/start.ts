import type { JsonRpcApiProvider } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { createContext, senderConfig, type SenderContext } from './context.ts';
import type { TxSenderOptions } from './options.ts';
import { resendLostNonces } from './rollback.ts';
import { errorText } from './rpc.ts';
import { withTimeout } from './timeout.ts';

/**
 * Reads the chain id (unless given) and the account's pending nonce, once: after that the
 * sender assigns nonces itself, so nothing else may send from the account.
 */
export async function startSender(options: TxSenderOptions): Promise<SenderContext> {
  const provider = options.provider ?? (options.wallet.provider as JsonRpcApiProvider | null);
  if (!provider || typeof provider.send !== 'function') {
    throw new PinbenchError(
      'NO_PROVIDER',
      'TxSender needs a JSON-RPC provider: create the wallet with new Wallet(key, jsonRpcProvider) or pass options.provider',
    );
  }
  const config = senderConfig(options);
  const address = await options.wallet.getAddress();
  const timeoutMs = config.requestTimeoutMs;
  try {
    const chainId = options.chainId ?? BigInt((await withTimeout(provider.send('eth_chainId', []), timeoutMs, 'eth_chainId')) as string);
    const firstNonce = Number(await withTimeout(provider.send('eth_getTransactionCount', [address, 'pending']), timeoutMs, 'eth_getTransactionCount'));
    return createContext(options, config, { provider, address, chainId, firstNonce }, resendLostNonces);
  } catch (cause) {
    throw new PinbenchError(
      'CHAIN_REQUEST_FAILED',
      `TxSender could not read the chain id and pending nonce of ${address}: ${errorText(cause)}; check that the node is running`,
      { cause },
    );
  }
}
