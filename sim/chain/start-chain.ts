import { Wallet } from 'ethers';
import type { Logger } from '../../core/ports.ts';
import type { ChainAccess } from '../../backend/chain/chain-client.ts';
import { connectRpc, devPrivateKeys, startAnvil } from './anvil.ts';

/** The chain a run uses, as the backend's chain client takes it, and how to let it go. */
export interface ChainStart extends ChainAccess {
  stop(): Promise<void>;
}

/**
 * The bench's half of the chain: starts the embedded anvil, or connects to `rpcUrl` (`--rpc`).
 * The backend only receives the result (backend/chain/chain-client.ts), as it would be handed
 * a production node.
 */
export async function startChain(options: { rpcUrl?: string; operatorKey?: string; logger: Logger; statePath?: string; stateIntervalS?: number }): Promise<ChainStart> {
  if (options.rpcUrl !== undefined) {
    const rpc = await connectRpc(options.rpcUrl, { pollingIntervalMs: 100, logger: options.logger });
    const key = options.operatorKey ?? devPrivateKeys(1)[0]!;
    options.logger.info(`chain: using ${rpc.rpcUrl} (chain id ${rpc.chainId})`);
    return { rpcUrl: rpc.rpcUrl, chainId: rpc.chainId, embedded: false, operator: new Wallet(key, rpc.provider), stop: async () => rpc.provider.destroy() };
  }
  // A run reads only the latest state, so the embedded chain keeps no past ones: anvil would
  // otherwise copy the whole state per block (~2 GiB and half the claim rate at 10,000 devices).
  const node = await startAnvil({ logger: options.logger, statePath: options.statePath, stateIntervalS: options.stateIntervalS, historyStates: 0 });
  const rpc = await connectRpc(node.rpcUrl, { pollingIntervalMs: 50, logger: options.logger });
  options.logger.info(`chain: anvil on ${node.rpcUrl} (chain id ${node.chainId})`);
  return {
    rpcUrl: node.rpcUrl,
    chainId: node.chainId,
    embedded: true,
    nodePid: node.pid,
    operator: new Wallet(node.accounts[0]!, rpc.provider),
    stop: async () => {
      rpc.provider.destroy();
      await node.stop();
    },
  };
}
