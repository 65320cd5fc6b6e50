import { keccak256, Wallet, type Contract } from 'ethers';
import type { Logger } from '../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';
import { compileContracts, deployPinbench, registerDevices, settleBatch } from '../../contracts/index.ts';
import { connectRpc, startAnvil, devPrivateKeys } from '../chain/anvil.ts';
import type { SettleArgs } from '../../contracts/index.ts';

/** A reachable chain and the operator account that deploys, registers and settles. */
export interface ChainStart {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  operator: Wallet;
  stop(): Promise<void>;
}

/** The deployed pinbench contracts, behind the few operations a run needs. */
export interface ChainSetup {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  addresses: { registry: string; token: string; settlement: string; verifier: string };
  deployGas: bigint;
  registerGas(): bigint;
  register(devices: Array<{ deviceId: string; publicKey: Uint8Array; owner: string }>): Promise<number[]>;
  settle(args: SettleArgs): Promise<{ txHash: string; gasUsed: bigint }>;
  balanceOf(owner: string): Promise<bigint>;
  ownerOf(index: number): Promise<string>;
  contracts: { registry: Contract; token: Contract; settlement: Contract };
}

/** Registry key of a device: keccak256 of its id (the IMEI) as UTF-8. */
export function deviceIdHash(deviceId: string): string {
  return keccak256(Buffer.from(deviceId, 'utf8'));
}

async function start(options: { rpcUrl?: string; operatorKey?: string; logger: Logger }): Promise<ChainStart> {
  if (options.rpcUrl !== undefined) {
    const rpc = await connectRpc(options.rpcUrl, { pollingIntervalMs: 100 });
    const key = options.operatorKey ?? devPrivateKeys(1)[0]!;
    options.logger.info(`chain: using ${rpc.rpcUrl} (chain id ${rpc.chainId})`);
    return { rpcUrl: rpc.rpcUrl, chainId: rpc.chainId, embedded: false, operator: new Wallet(key, rpc.provider), stop: async () => rpc.provider.destroy() };
  }
  const node = await startAnvil({ logger: options.logger });
  const rpc = await connectRpc(node.rpcUrl, { pollingIntervalMs: 50 });
  options.logger.info(`chain: anvil on ${node.rpcUrl} (chain id ${node.chainId})`);
  return {
    rpcUrl: node.rpcUrl,
    chainId: node.chainId,
    embedded: true,
    operator: new Wallet(node.accounts[0]!, rpc.provider),
    stop: async () => {
      rpc.provider.destroy();
      await node.stop();
    },
  };
}

async function deploy(
  chain: ChainStart,
  options: { cacheDir: string; verifierSolPath: string; shape: CircuitShape; params: RuleParams; logger: Logger },
): Promise<ChainSetup> {
  const compiled = await compileContracts({ cacheDir: options.cacheDir, verifierSolPath: options.verifierSolPath, logger: options.logger });
  const deployment = await deployPinbench({
    signer: chain.operator,
    compiled,
    params: {
      batchSize: options.shape.batchSize,
      unitsPerSample: options.params.unitsPerSample,
      maxStepE7: options.params.maxStepE7,
      rewardPerUnitWei: options.params.rewardPerUnitWei,
    },
    operator: chain.operator.address,
  });
  options.logger.info(
    `contracts deployed: settlement ${deployment.addresses.settlement}, ${deployment.deployGas.total.toLocaleString('en-US')} gas`,
  );
  let registerGas = 0n;
  // Every write from the operator account goes through one queue: the contract helpers take
  // the account's pending nonce, which two overlapping senders would both read.
  let writes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writes.then(work, work);
    writes = next.catch(() => undefined);
    return next;
  };
  const { registry, token, settlement } = deployment;
  return {
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    embedded: chain.embedded,
    addresses: deployment.addresses,
    deployGas: deployment.deployGas.total,
    registerGas: () => registerGas,
    contracts: { registry, token, settlement },
    register: (devices) =>
      serialized(async () => {
        const result = await registerDevices(
          registry,
          devices.map((d) => ({ idHash: deviceIdHash(d.deviceId), pubKey: d.publicKey, owner: d.owner })),
        );
        registerGas += result.gasUsed;
        return result.indices;
      }),
    settle: (args) =>
      serialized(async () => {
        const result = await settleBatch(settlement, args, { decodeWith: { registry, token } });
        return { txHash: result.receipt.hash, gasUsed: result.gasUsed };
      }),
    balanceOf: async (owner) => (await token.getFunction('balanceOf')(owner)) as bigint,
    ownerOf: async (index) => (await registry.getFunction('ownerOf')(index)) as string,
  };
}

export const setUpChain = { start, deploy };
