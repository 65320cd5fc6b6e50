import { Wallet } from 'ethers';
import type { Logger } from '../../core/ports.ts';
import type { ChainAccess } from '../../backend/chain/chain-client.ts';
import { connectRpc, devPrivateKeys, startAnvil, type AnvilNode, type StartAnvilOptions } from './anvil.ts';

/** How the embedded chain goes down in a `chain.restart`. */
export interface ChainRestart {
  /** Wall-clock ms the chain stays down: it mines in real time, not on the simulated clock. */
  downMs: number;
  /**
   * SIGKILL instead of a clean stop: anvil comes back from the state it last saved (every few
   * seconds), so what was mined since is gone until the senders send it again.
   */
  kill: boolean;
}

/** The chain a run uses, as the backend's chain client takes it, and how to let it go. */
export interface ChainStart extends ChainAccess {
  stop(): Promise<void>;
  /**
   * Only on the embedded chain with a state file: takes anvil down and brings it back on the
   * same port from its saved state. The RPC URL stays the same, so the backend's chain client
   * sees an outage, not a new node. Resolves once it answers again, with the wall-clock ms
   * from going down to answering (a restart asked for during another waits for it first).
   * `afterBack` runs once it answers, before any later restart may take it down again.
   */
  restart?(how: ChainRestart, afterBack?: () => Promise<void>): Promise<{ backAfterMs: number }>;
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
  const anvilOptions: StartAnvilOptions = { logger: options.logger, statePath: options.statePath, stateIntervalS: options.stateIntervalS, historyStates: 0 };
  let node: AnvilNode = await startAnvil(anvilOptions);
  const rpc = await connectRpc(node.rpcUrl, { pollingIntervalMs: 50, logger: options.logger });
  options.logger.info(`chain: anvil on ${node.rpcUrl} (chain id ${node.chainId})`);
  // One restart at a time; stop waits for one under way, so no anvil outlives the run.
  let restarting: Promise<void> = Promise.resolve();
  return {
    rpcUrl: node.rpcUrl,
    chainId: node.chainId,
    embedded: true,
    get nodePid() {
      return node.pid;
    },
    operator: new Wallet(node.accounts[0]!, rpc.provider),
    stop: async () => {
      await restarting.catch(() => undefined);
      rpc.provider.destroy();
      await node.stop();
    },
    ...(options.statePath === undefined
      ? {}
      : {
          restart: (how: ChainRestart, afterBack?: () => Promise<void>) => {
            const run = restarting.then(async () => {
              const downAt = performance.now();
              options.logger.info(`chain: anvil ${how.kill ? 'killed' : 'stopped'} for ${how.downMs / 1000} s`);
              await (how.kill ? node.kill() : node.stop());
              await new Promise((resolve) => setTimeout(resolve, how.downMs));
              node = await startAnvil({ ...anvilOptions, port: node.port });
              options.logger.info(`chain: anvil back on ${node.rpcUrl} from its saved state (pid ${node.pid})`);
              const backAfterMs = performance.now() - downAt;
              await afterBack?.();
              return { backAfterMs };
            });
            restarting = run.then(() => undefined, () => undefined);
            return run;
          },
        }),
  };
}
