import { Contract, keccak256, parseEther, toQuantity, Wallet, type FeeData, type InterfaceAbi, type JsonRpcProvider, type TransactionReceipt, type TransactionRequest } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';
import { claimGasLimit, claimRewards, compileContracts, deployPinbench, encodeSettle, registerDevices, settleGasLimit, TxSender, type TxSenderStats } from '../../contracts/index.ts';
import { decodeHeader } from '../../core/reward-rule.ts';
import { connectRpc, startAnvil, devPrivateKeys } from '../../sim/chain/anvil.ts';
import type { SettleArgs } from '../../contracts/index.ts';

/** A reachable chain and the operator account that deploys, registers and settles. */
export interface ChainStart {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  /** Process id of the embedded chain node; undefined for an external `--rpc`. */
  nodePid?: number;
  operator: Wallet;
  stop(): Promise<void>;
}

/** The deployed pinbench contracts, behind the few operations a run needs. */
export interface ChainSetup {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  /** Process id of the embedded chain node; undefined for an external `--rpc`. */
  nodePid?: number;
  addresses: { registry: string; token: string; settlement: string; verifier: string };
  deployGas: bigint;
  registerGas(): bigint;
  /** `confirm`: the device's signed ConfirmPackage for `owner`, recorded by the registry (see DeviceRegistry.sol). */
  register(devices: Array<{ deviceId: string; publicKey: Uint8Array; owner: string; confirm?: { timestamp: number; signature: Uint8Array } }>): Promise<number[]>;
  settle(args: SettleArgs): Promise<{ txHash: string; gasUsed: bigint; calldataBytes: number }>;
  isSettled(epoch: number, batch: number): Promise<boolean>;
  /** What the operator's transaction sender did (sent, re-broadcast, retried, failed). */
  txStats(): TxSenderStats;
  /** Waits for the operator's transactions in flight and stops watching for receipts. */
  close(): Promise<void>;
  /** Units accrued on chain for a registry index and not yet claimed. */
  accruedUnits(index: number): Promise<bigint>;
  /** The owner's claim for its devices, from the owner's own account (given gas money first if it has none). */
  claim(ownerPrivateKey: string, indexes: readonly number[]): Promise<{ txHash: string; gasUsed: bigint; amountWei: bigint }>;
  balanceOf(owner: string): Promise<bigint>;
  ownerOf(index: number): Promise<string>;
  contracts: { registry: Contract; token: Contract; settlement: Contract };
}

/** Ether an owner account gets for its claim transactions when it has none. */
const OWNER_GAS_FUNDS = parseEther('0.01');
/** How long the claims may use one fee quote (see `currentFees`). */
const FEE_QUOTE_MAX_AGE_MS = 5_000;

/** Registry key of a device: keccak256 of its id (the IMEI) as UTF-8. */
export function deviceIdHash(deviceId: string): string {
  return keccak256(Buffer.from(deviceId, 'utf8'));
}

async function start(options: { rpcUrl?: string; operatorKey?: string; logger: Logger; statePath?: string; stateIntervalS?: number }): Promise<ChainStart> {
  if (options.rpcUrl !== undefined) {
    const rpc = await connectRpc(options.rpcUrl, { pollingIntervalMs: 100 });
    const key = options.operatorKey ?? devPrivateKeys(1)[0]!;
    options.logger.info(`chain: using ${rpc.rpcUrl} (chain id ${rpc.chainId})`);
    return { rpcUrl: rpc.rpcUrl, chainId: rpc.chainId, embedded: false, operator: new Wallet(key, rpc.provider), stop: async () => rpc.provider.destroy() };
  }
  // A run reads only the latest state, so the embedded chain keeps no past ones: anvil would
  // otherwise copy the whole state per block (~2 GiB and half the claim rate at 10,000 devices).
  const node = await startAnvil({ logger: options.logger, statePath: options.statePath, stateIntervalS: options.stateIntervalS, historyStates: 0 });
  const rpc = await connectRpc(node.rpcUrl, { pollingIntervalMs: 50 });
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
  return operate(chain, deployment, options.logger);
}

/** The contracts of an earlier run on a chain that kept them (`pinbench resume`). */
async function attach(
  chain: ChainStart,
  options: { cacheDir: string; verifierSolPath: string; addresses: ChainSetup['addresses']; logger: Logger },
): Promise<ChainSetup> {
  const compiled = await compileContracts({ cacheDir: options.cacheDir, verifierSolPath: options.verifierSolPath, logger: options.logger });
  const { addresses } = options;
  if ((await chain.operator.provider!.getCode(addresses.settlement)) === '0x') {
    throw new PinbenchError('CHAIN_LOST', `no settlement contract at ${addresses.settlement} on ${chain.rpcUrl}: the run's chain is gone (an embedded chain lives in the run folder's chain/ state; an external one must be the same --rpc)`);
  }
  const at = (address: string, c: { abi: InterfaceAbi }) => new Contract(address, c.abi, chain.operator);
  return operate(chain, {
    registry: at(addresses.registry, compiled.registry), token: at(addresses.token, compiled.token),
    settlement: at(addresses.settlement, compiled.settlement), addresses, deployGas: { total: 0n },
  }, options.logger);
}

async function operate(
  chain: ChainStart,
  deployment: { registry: Contract; token: Contract; settlement: Contract; addresses: ChainSetup['addresses']; deployGas: { total: bigint } },
  logger: Logger,
): Promise<ChainSetup> {
  let registerGas = 0n;
  const { registry, token, settlement } = deployment;
  const provider = chain.operator.provider as JsonRpcProvider;
  // Every write from the operator account after deployment goes through this one sender: it
  // signs with explicit nonces and gas limits, sends without waiting for earlier ones to be
  // mined, and re-sends a dropped transaction (contracts/tx-sender.ts).
  const sender = await TxSender.start({ wallet: chain.operator, decodeWith: { settlement, registry, token }, logger });
  const settleGas = settleGasLimit(Number(await settlement.getFunction('batchSize')()));
  // Claims share one fee quote, refreshed every few seconds: a quote per claim would double
  // the round trips, one for the whole phase could fall behind a rising base fee.
  let fees: { atMs: number; data: Promise<FeeData> } | undefined;
  const currentFees = (): Promise<FeeData> => {
    if (fees === undefined || Date.now() - fees.atMs > FEE_QUOTE_MAX_AGE_MS) fees = { atMs: Date.now(), data: provider.getFeeData() };
    return fees.data;
  };
  const estimated = async (request: TransactionRequest): Promise<bigint> =>
    ((await provider.estimateGas({ ...request, from: chain.operator.address })) * 12n) / 10n;
  // Owners pay for their own claims. On the embedded anvil they are simply given ether; on an
  // external chain the operator sends each owner that has none a little, once.
  const fundForGas = async (address: string): Promise<void> => {
    if ((await provider.getBalance(address)) >= OWNER_GAS_FUNDS / 2n) return;
    if (chain.embedded) {
      await provider.send('anvil_setBalance', [address, toQuantity(OWNER_GAS_FUNDS)]);
      return;
    }
    await sender.send({ to: address, value: OWNER_GAS_FUNDS, gasLimit: 21_000n, label: `gas money for owner ${address}` });
  };
  return {
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    embedded: chain.embedded,
    nodePid: chain.nodePid,
    addresses: deployment.addresses,
    deployGas: deployment.deployGas.total,
    registerGas: () => registerGas,
    contracts: { registry, token, settlement },
    register: async (devices) => {
      const result = await registerDevices(
        registry,
        devices.map((d) => ({ idHash: deviceIdHash(d.deviceId), pubKey: d.publicKey, owner: d.owner, ...(d.confirm ? { confirm: d.confirm } : {}) })),
        {
          send: async (requests) => {
            const sent: Array<Promise<TransactionReceipt>> = [];
            for (const [i, request] of requests.entries()) {
              sent.push(sender.send({ to: String(request.to), data: String(request.data), gasLimit: await estimated(request), label: `register chunk ${i + 1}/${requests.length}` }));
            }
            return Promise.all(sent);
          },
        },
      );
      registerGas += result.gasUsed;
      return result.indices;
    },
    settle: async (args) => {
      const data = encodeSettle(settlement, args);
      const epochBatch = decodeHeader(BigInt(args.header));
      const receipt = await sender.send({
        to: deployment.addresses.settlement, data, gasLimit: settleGas, label: `settle epoch ${epochBatch.epoch} batch ${epochBatch.batch}`,
      });
      return { txHash: receipt.hash, gasUsed: receipt.gasUsed, calldataBytes: (data.length - 2) / 2 };
    },
    txStats: () => sender.stats(),
    close: async () => {
      await sender.drain().catch(() => undefined);
      sender.close();
    },
    isSettled: async (epoch, batch) => (await settlement.getFunction('isSettled')(epoch, batch)) as boolean,
    accruedUnits: async (index) => (await settlement.getFunction('accruedUnits')(index)) as bigint,
    claim: async (ownerPrivateKey, indexes) => {
      const owner = new Wallet(ownerPrivateKey, provider);
      await fundForGas(owner.address);
      // An explicit nonce, gas limit and fees: no estimate or quote round trips per claim, so
      // thousands of owners can claim side by side.
      const fee = await currentFees();
      const result = await claimRewards(settlement.connect(owner) as Contract, indexes, {
        nonce: await provider.getTransactionCount(owner.address, 'pending'),
        gasLimit: claimGasLimit(indexes.length),
        fees: fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null
          ? { maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas }
          : fee.gasPrice !== null ? { gasPrice: fee.gasPrice } : undefined,
        decodeWith: { registry, token },
      });
      return { txHash: result.receipt.hash, gasUsed: result.gasUsed, amountWei: result.amountWei };
    },
    balanceOf: async (owner) => (await token.getFunction('balanceOf')(owner)) as bigint,
    ownerOf: async (index) => (await registry.getFunction('ownerOf')(index)) as string,
  };
}

export const setUpChain = { start, deploy, attach };
