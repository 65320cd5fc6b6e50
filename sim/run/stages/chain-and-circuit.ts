import type { Logger } from '../../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../../core/reward-rule.ts';
import type { RewardPolicy } from '../../../core/reward-policy/index.ts';
import { buildCircuit, type CircuitArtifacts } from '../../../circuits/index.ts';
import type { RunStore } from '../../../backend/store/run-store.ts';
import { chainStatePath } from '../../paths.ts';
import { setUpChain, type ChainSetup } from '../../../backend/chain/chain-client.ts';
import { startChain, type ChainRestart, type ChainStart } from '../../chain/start-chain.ts';
import type { Cleanups } from '../cleanups.ts';

export type Timed = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

/**
 * The circuit (minutes on a first run) and the chain, started side by side since neither needs
 * the other; then the contracts, deployed with the circuit's verifier. Records in run.db what
 * `pinbench resume` needs to find the chain again.
 */
export async function prepareCircuitAndChain(input: {
  shape: CircuitShape;
  params: RuleParams;
  /** The reward policy the contracts are deployed with (absent: today's rule). */
  policy?: RewardPolicy;
  runDir: string;
  cacheDir: string;
  ptauPath?: string;
  rpcUrl?: string;
  operatorKey?: string;
  /** Fleet size: the chain's state is saved less often for larger fleets (see below). */
  devices: number;
  /** Devices a stake policy bonds (the fleet and attached devices). */
  stakedDevices?: number;
  store: RunStore;
  cleanups: Cleanups;
  timed: Timed;
  logger: Logger;
}): Promise<{ artifacts: CircuitArtifacts; chain: ChainSetup; restartChain: ChainStart['restart'] | undefined }> {
  const { shape, params, cacheDir, logger, timed, cleanups } = input;
  const circuitPromise = timed('circuit', () =>
    buildCircuit({ cacheDir, batchSize: shape.batchSize, readingsPerDevice: shape.readingsPerDevice, ptauPath: input.ptauPath, logger }),
  );
  const chainStartPromise = timed('chain.start', () =>
    startChain({
      rpcUrl: input.rpcUrl, operatorKey: input.operatorKey, logger, statePath: chainStatePath(input.runDir),
      // anvil writes its whole state, history included, each time (~85 MB after 10,000 devices'
      // registrations, settlements and claims): every 5 s for small fleets, every ~100 s for
      // 10,000, so saving stays a small share of anvil's time. It is also written at exit.
      stateIntervalS: Math.max(5, Math.ceil(input.devices / 100)),
    }),
  );
  const [circuitResult, chainResult] = await Promise.allSettled([circuitPromise, chainStartPromise]);
  if (circuitResult.status === 'rejected') {
    // A chain started while the circuit failed must still be stopped.
    if (chainResult.status === 'fulfilled') await chainResult.value.stop();
    throw circuitResult.reason;
  }
  if (chainResult.status === 'rejected') throw chainResult.reason;
  const artifacts = circuitResult.value;
  const chainStart = chainResult.value;
  cleanups.push(() => chainStart.stop());
  logger.info(`circuit ready: ${artifacts.constraints.toLocaleString('en-US')} constraints, ${shape.batchSize} devices × ${shape.readingsPerDevice} readings per proof`);
  const chain = await timed('chain.deploy', () =>
    setUpChain.deploy(chainStart, { cacheDir, verifierSolPath: artifacts.verifierSolPath, shape, params, ...(input.policy === undefined ? {} : { policy: input.policy }), stakedDevices: input.stakedDevices, logger }),
  );
  cleanups.push(() => chain.close());
  input.store.setMeta('chain', JSON.stringify({ embedded: chain.embedded, rpcUrl: chain.rpcUrl, chainId: chain.chainId.toString(), addresses: chain.addresses }));
  const { restart } = chainStart;
  // The operator's sender learns of each restart at once: transactions mined after anvil's last
  // saved state are gone from a killed chain even when none is in flight to notice it. The
  // recheck runs inside the restart, so a second restart cannot cut it short.
  const restartChain =
    restart === undefined
      ? undefined
      : (how: ChainRestart) =>
          restart(how, async () => {
            const resent = await chain.recheckAfterRestart();
            if (resent > 0) logger.warn(`chain: the restarted chain had lost ${resent} operator transactions; sent again with their signed bytes`);
          });
  return { artifacts, chain, restartChain };
}
