import { Contract, Interface, keccak256, parseEther, toQuantity, Wallet, type InterfaceAbi, type JsonRpcProvider } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports.ts';
import type { CircuitShape, RuleParams } from '../../core/reward-rule.ts';
import { chainPolicyOf, type RewardPolicy } from '../../core/reward-policy/index.ts';
import {
  claimGasLimit, claimRewards, compileContracts, createFeeQuote, deployPinbench, depositStake, openEpoch, registerDevices, settleBatch, settleGasLimit, TxSender,
  type CompiledPinbench, type TxSenderStats,
} from '../../contracts/index.ts';
import type { SettleArgs } from '../../contracts/index.ts';
import type { RegisteredDevice } from '../directory/device-directory.ts';

/**
 * A reachable chain and the operator account that deploys, registers and settles. The bench
 * starts the node or connects to `--rpc` (sim/chain/start-chain.ts) and hands it in.
 */
export interface ChainAccess {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  /** Process id of the embedded chain node; undefined for an external `--rpc`. */
  nodePid?: number;
  operator: Wallet;
}

/** The deployed pinbench contracts, behind the few operations a run needs. */
export interface ChainSetup {
  rpcUrl: string;
  chainId: bigint;
  embedded: boolean;
  /** Process id of the embedded chain node (the current one, after a restart); undefined for an external `--rpc`. */
  readonly nodePid?: number;
  addresses: { registry: string; token: string; settlement: string; verifier: string };
  deployGas: bigint;
  registerGas(): bigint;
  /** Gas of bonding devices' stakes (depositStake) so far; 0 without stakes. */
  stakeGas(): bigint;
  /**
   * Registers devices; `confirm` is the device's signed ConfirmPackage for `owner`, recorded by the
   * registry (see DeviceRegistry.sol). Resolves with each device's `DeviceRegistered` event, in
   * input order: the directory learns devices from them.
   */
  register(devices: Array<{ deviceId: string; publicKey: Uint8Array; owner: string; confirm?: { timestamp: number; signature: Uint8Array } }>): Promise<RegisteredDevice[]>;
  settle(args: SettleArgs): Promise<{ txHash: string; gasUsed: bigint; calldataBytes: number }>;
  isSettled(epoch: number, batch: number): Promise<boolean>;
  /**
   * A pro-rata epoch's declaration (Settlement.openEpoch), sent once: an epoch the chain already
   * opened with the same numbers (a resumed close) is left alone, one opened with others is refused.
   */
  openEpoch(book: { epoch: number; totalUnits: bigint; batches: number }): Promise<void>;
  /** What the operator's transaction sender did (sent, re-broadcast, retried, failed). */
  txStats(): TxSenderStats;
  /** Waits for the operator's transactions in flight and stops watching for receipts. */
  close(): Promise<void>;
  /**
   * Once the node restarted (a chain.restart): the operator's transactions the chain lost are
   * sent again with their signed bytes (same hashes), even when none is in flight. Resolves with how many.
   */
  recheckAfterRestart(): Promise<number>;
  /** Accrued on chain for a registry index and not yet claimed: units for a rate policy, gwei pro rata (× accrualWei = wei). */
  accruedUnits(index: number): Promise<bigint>;
  /** Wei one accrued unit pays at claim (Settlement.accrualWei). */
  accrualWei(): Promise<bigint>;
  /** The owner's claim for its devices, from the owner's own account (given gas money first if it has none). */
  claim(ownerPrivateKey: string, indexes: readonly number[]): Promise<{ txHash: string; gasUsed: bigint; amountWei: bigint }>;
  balanceOf(owner: string): Promise<bigint>;
  ownerOf(index: number): Promise<string>;
  /** A device's stake left in token wei (Settlement.stakeOf; 0 without stakes or not bonded). */
  stakeOf(index: number): Promise<bigint>;
  /** Tokens slashed so far (Settlement.totalSlashedWei). */
  totalSlashedWei(): Promise<bigint>;
  contracts: { registry: Contract; token: Contract; settlement: Contract };
}

/** Ether an owner account gets for its claim transactions when it has none. */
const OWNER_GAS_FUNDS = parseEther('0.01');
/** How long the claims may use one fee quote (see `claimFees`). */
const FEE_QUOTE_MAX_AGE_MS = 5_000;

/** Registry key of a device: keccak256 of its id (the IMEI) as UTF-8. */
export function deviceIdHash(deviceId: string): string {
  return keccak256(Buffer.from(deviceId, 'utf8'));
}

/**
 * Every write from the operator account, deployment included, goes through this one sender: it
 * signs with explicit nonces and gas limits, sends without waiting for earlier ones to be
 * mined, and re-sends a dropped transaction (contracts/tx/).
 */
function startOperatorSender(chain: ChainAccess, compiled: CompiledPinbench, logger: Logger): Promise<TxSender> {
  const abi = (c: { abi: InterfaceAbi }) => new Interface(c.abi);
  return TxSender.start({
    wallet: chain.operator,
    decodeWith: { settlement: abi(compiled.settlement), registry: abi(compiled.registry), token: abi(compiled.token) },
    logger,
  });
}

async function deploy(
  chain: ChainAccess,
  options: {
    cacheDir: string; verifierSolPath: string; shape: CircuitShape; params: RuleParams; policy?: RewardPolicy; logger: Logger;
    /** A policy with stakes: how many devices the run bonds (its fleet and attached devices); the genesis holds their stakes. */
    stakedDevices?: number;
  },
): Promise<ChainSetup> {
  const compiled = await compileContracts({ cacheDir: options.cacheDir, verifierSolPath: options.verifierSolPath, logger: options.logger });
  const sender = await startOperatorSender(chain, compiled, options.logger);
  try {
    const deployment = await deployPinbench({
      signer: chain.operator,
      compiled,
      params: {
        batchSize: options.shape.batchSize,
        unitsPerSample: options.params.unitsPerSample,
        maxStepE7: options.params.maxStepE7,
        rewardPerUnitWei: options.params.rewardPerUnitWei,
        ...(options.policy === undefined ? {} : { policy: chainPolicyOf(options.policy) }),
        genesisStakeWei: (options.policy?.stake?.perDeviceWei ?? 0n) * BigInt(options.stakedDevices ?? 0),
      },
      operator: chain.operator.address,
      sender,
    });
    options.logger.info(
      `contracts deployed: settlement ${deployment.addresses.settlement}, ${deployment.deployGas.total.toLocaleString('en-US')} gas`,
    );
    return await operate(chain, deployment, sender, options.logger);
  } catch (error) {
    sender.close();
    throw error;
  }
}

/** The contracts of an earlier run on a chain that kept them (`pinbench resume`). */
async function attach(
  chain: ChainAccess,
  options: { cacheDir: string; verifierSolPath: string; addresses: ChainSetup['addresses']; logger: Logger },
): Promise<ChainSetup> {
  const compiled = await compileContracts({ cacheDir: options.cacheDir, verifierSolPath: options.verifierSolPath, logger: options.logger });
  const { addresses } = options;
  if ((await chain.operator.provider!.getCode(addresses.settlement)) === '0x') {
    throw new PinbenchError('CHAIN_LOST', `no settlement contract at ${addresses.settlement} on ${chain.rpcUrl}: the run's chain is gone (an embedded chain lives in the run folder's chain/ state; an external one must be the same --rpc)`);
  }
  const at = (address: string, c: { abi: InterfaceAbi }) => new Contract(address, c.abi, chain.operator);
  const sender = await startOperatorSender(chain, compiled, options.logger);
  return operate(chain, {
    registry: at(addresses.registry, compiled.registry), token: at(addresses.token, compiled.token),
    settlement: at(addresses.settlement, compiled.settlement), addresses, deployGas: { total: 0n },
  }, sender, options.logger);
}

async function operate(
  chain: ChainAccess,
  deployment: { registry: Contract; token: Contract; settlement: Contract; addresses: ChainSetup['addresses']; deployGas: { total: bigint } },
  sender: TxSender,
  logger: Logger,
): Promise<ChainSetup> {
  let registerGas = 0n;
  let stakeGas = 0n;
  const { registry, token, settlement } = deployment;
  const provider = chain.operator.provider as JsonRpcProvider;
  const proRata = Number(await settlement.getFunction('emissionKind')()) !== 0;
  const stakes = ((await settlement.getFunction('stakeWei')()) as bigint) !== 0n;
  const settleGas = settleGasLimit(Number(await settlement.getFunction('batchSize')()), proRata, stakes);
  // With stakes, every registered device is bonded before any of its batches settles: the
  // bonding follows each registration through the same sender, so its nonce comes first. It
  // bonds what the registry has beyond stakedThrough, so a resumed run bonds what an
  // interrupted one registered and did not bond. One at a time: each reads what the last bonded.
  let bonding: Promise<void> = Promise.resolve();
  const bondRegistered = (): Promise<void> => {
    const next = bonding.then(async () => {
      const [through, registered] = await Promise.all([settlement.getFunction('stakedThrough')() as Promise<bigint>, registry.getFunction('deviceCount')() as Promise<bigint>]);
      if (registered > through) stakeGas += (await depositStake(settlement, Number(registered - through), { sender, decodeWith: { token, registry } })).gasUsed;
    });
    bonding = next.catch(() => undefined);
    return next;
  };
  // Claims share one fee quote, refreshed every few seconds: a quote per claim would double
  // the round trips, one for the whole phase could fall behind a rising base fee.
  const claimFees = createFeeQuote(provider, { maxAgeMs: FEE_QUOTE_MAX_AGE_MS });
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
    // Read through: a restarted node has a new process.
    get nodePid() {
      return chain.nodePid;
    },
    addresses: deployment.addresses,
    deployGas: deployment.deployGas.total,
    registerGas: () => registerGas,
    stakeGas: () => stakeGas,
    contracts: { registry, token, settlement },
    register: async (devices) => {
      const result = await registerDevices(
        registry,
        devices.map((d) => ({ idHash: deviceIdHash(d.deviceId), pubKey: d.publicKey, owner: d.owner, ...(d.confirm ? { confirm: d.confirm } : {}) })),
        // The estimates may run before the earlier chunks are mined: a fifth more leaves room.
        { sender, gasLimitFromEstimate: (estimate) => (estimate * 12n) / 10n },
      );
      registerGas += result.gasUsed;
      if (stakes) await bondRegistered();
      // The event names the device by idHash; the request it answers gives the id back.
      return result.events.map((e, i) => ({ index: e.index, deviceId: devices[i]!.deviceId, publicKey: e.pubKey, owner: e.owner }));
    },
    settle: async (args) => {
      const result = await settleBatch(settlement, args, { sender, gasLimit: settleGas });
      return { txHash: result.receipt.hash, gasUsed: result.gasUsed, calldataBytes: result.calldataBytes };
    },
    txStats: () => sender.stats(),
    recheckAfterRestart: () => sender.recheckLostNonces(),
    close: async () => {
      await sender.drain().catch(() => undefined);
      sender.close();
    },
    isSettled: async (epoch, batch) => (await settlement.getFunction('isSettled')(epoch, batch)) as boolean,
    openEpoch: async (book) => {
      const onChain = (await settlement.getFunction('epochBook')(book.epoch)) as { opened: boolean; totalUnits: bigint; batches: bigint };
      if (onChain.opened) {
        if (onChain.totalUnits === book.totalUnits && Number(onChain.batches) === book.batches) return;
        throw new PinbenchError('CHAIN_EPOCH_MISMATCH', `epoch ${book.epoch} is open on chain with ${onChain.totalUnits} units in ${onChain.batches} batches, but run.db's close says ${book.totalUnits} in ${book.batches}: the chain is another run's; start a new run folder`);
      }
      await openEpoch(settlement, book, { sender });
    },
    accrualWei: async () => (await settlement.getFunction('accrualWei')()) as bigint,
    accruedUnits: async (index) => (await settlement.getFunction('accruedUnits')(index)) as bigint,
    claim: async (ownerPrivateKey, indexes) => {
      const owner = new Wallet(ownerPrivateKey, provider);
      await fundForGas(owner.address);
      // The owner's own sender for this one claim, with an explicit nonce, gas limit and fees:
      // no estimate or quote round trips per claim, so thousands of owners can claim side by
      // side; receipts are polled as often as the provider polls.
      const ownerSender = await TxSender.start({
        wallet: owner, chainId: chain.chainId, fees: await claimFees(), pollIntervalMs: provider.pollingInterval, logger,
      });
      try {
        const result = await claimRewards(settlement.connect(owner) as Contract, indexes, {
          sender: ownerSender, gasLimit: claimGasLimit(indexes.length), decodeWith: { registry, token },
        });
        return { txHash: result.receipt.hash, gasUsed: result.gasUsed, amountWei: result.amountWei };
      } finally {
        ownerSender.close();
      }
    },
    balanceOf: async (owner) => (await token.getFunction('balanceOf')(owner)) as bigint,
    ownerOf: async (index) => (await registry.getFunction('ownerOf')(index)) as string,
    stakeOf: async (index) => (await settlement.getFunction('stakeOf')(index)) as bigint,
    totalSlashedWei: async () => (await settlement.getFunction('totalSlashedWei')()) as bigint,
  };
}

export const setUpChain = { deploy, attach };
