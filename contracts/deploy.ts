import {
  Contract,
  ContractFactory,
  getAddress,
  getBytes,
  getCreateAddress,
  hexlify,
  Interface,
  isAddress,
  ZeroAddress,
  type BigNumberish,
  type BytesLike,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
} from 'ethers';
import { PinbenchError } from '../core/errors.ts';
import { DEFAULT_MAX_SUPPLY_WEI, type ChainPolicy } from '../core/reward-policy/index.ts';
import type { CompiledContract } from './compile.ts';
import { decodeContractError } from './errors.ts';
import { estimateGasLimit } from './tx/estimate.ts';
import type { TxSender } from './tx/tx-sender.ts';
import { signerOf, withSender } from './tx/with-sender.ts';

/** BN254 scalar field order: every public signal must be below it. */
export const SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** setMinter is one cold SSTORE and an event (~47k); fixed because the token may not be mined yet. */
const SET_MINTER_GAS_LIMIT = 100_000n;
/** approve is one cold SSTORE and an event (~46k). */
const APPROVE_GAS_LIMIT = 100_000n;

export interface SettlementParams {
  /** Devices per batch proof (B), a multiple of 4; the verifier must have 2 + ceil(B/6) public signals. */
  batchSize: number;
  unitsPerSample: BigNumberish;
  maxStepE7: BigNumberish;
  rewardPerUnitWei: BigNumberish;
  /**
   * The reward policy's on-chain part (core/reward-policy/chain-policy.ts chainPolicyOf); omitted:
   * today's rule (a rate, no cap, no minimum, per-reading penalty) and a token capped at
   * DEFAULT_MAX_SUPPLY_WEI.
   */
  policy?: ChainPolicy;
  /** The token's cap; default the policy's maxSupplyWei, else DEFAULT_MAX_SUPPLY_WEI. */
  maxSupplyWei?: BigNumberish;
  /**
   * A policy with stakes: tokens minted to the deploying account at genesis (counted in the cap)
   * and approved for the settlement, which it bonds devices with (depositStake). Default 0.
   */
  genesisStakeWei?: bigint;
}

export interface DeployOptions {
  /** Deploys and sends; an ethers v6 Signer connected to a provider. */
  signer: Signer;
  compiled: {
    registry: CompiledContract;
    token: CompiledContract;
    settlement: CompiledContract;
    verifier?: CompiledContract;
  };
  params: SettlementParams;
  /** Account allowed to register devices and settle batches. */
  operator: string;
  /** Use this deployed verifier instead of deploying `compiled.verifier`. */
  verifierAddress?: string;
  /** Sends the deploy transactions (the signer's sender, e.g. a run's operator sender); default one started for this call. */
  sender?: TxSender;
}

export interface DeployGas {
  /** 0 when an existing verifier was reused. */
  verifier: bigint;
  registry: bigint;
  token: bigint;
  settlement: bigint;
  setMinter: bigint;
  /** 0 without stakes. */
  approveStakes: bigint;
  total: bigint;
}

export interface PinbenchDeployment {
  registry: Contract;
  token: Contract;
  settlement: Contract;
  verifier: Contract;
  addresses: { registry: string; token: string; settlement: string; verifier: string };
  deployGas: DeployGas;
}

export interface DeviceRegistration {
  /** 32-byte id hash (the registry key). */
  idHash: BytesLike;
  /** 65-byte uncompressed public key, 0x04 ‖ x ‖ y. */
  pubKey: BytesLike;
  owner: string;
  /**
   * The device's signed confirm for `owner` (Pebble ConfirmPackage: r‖s over sha256(owner ‖
   * uint32 BE timestamp)), recorded by `registerManyConfirmed`; absent: registered without one.
   */
  confirm?: { timestamp: number; signature: BytesLike };
}

/** A `DeviceRegistered` event of the registry, as the receipt logs it. */
export interface DeviceRegisteredEvent {
  index: number;
  idHash: string;
  owner: string;
  /** The 65-byte uncompressed key, as the event carries it (the registry stores only its hash). */
  pubKey: Uint8Array;
}

export interface RegisterResult {
  /** Registry index of each device, in input order. */
  indices: number[];
  /** Each device's `DeviceRegistered` event, in input order. */
  events: DeviceRegisteredEvent[];
  gasUsed: bigint;
  chunks: { size: number; gasUsed: bigint }[];
}

/**
 * Deploys verifier (unless given), registry, token and settlement, and makes the settlement the
 * token's minter. All transactions go out back to back through one sender with consecutive
 * nonces (so the contract addresses are known in advance), then the receipts are awaited together.
 */
export async function deployPinbench(options: DeployOptions): Promise<PinbenchDeployment> {
  const provider = providerOf(options.signer);
  validateParams(options.params);
  const operator = checkAddress(options.operator, 'operator');
  if (options.verifierAddress === undefined) {
    if (!options.compiled.verifier) {
      throw new PinbenchError(
        'VERIFIER_MISSING',
        'no verifier to deploy: compile with verifierSolPath (from the circuit build) or pass verifierAddress',
      );
    }
    return withSender(options.signer, options.sender, (sender) => deployWith(sender, options, operator, undefined));
  }
  const verifierAddress = checkAddress(options.verifierAddress, 'verifierAddress');
  if ((await provider.getCode(verifierAddress)) === '0x') {
    throw new PinbenchError('VERIFIER_NOT_DEPLOYED', `no contract at verifierAddress ${verifierAddress}: deploy the verifier first or omit verifierAddress`);
  }
  return withSender(options.signer, options.sender, (sender) => deployWith(sender, options, operator, verifierAddress));
}

/** The deploy itself, once the sender is known: its next nonce decides the contract addresses. */
async function deployWith(sender: TxSender, options: DeployOptions, operator: string, existingVerifier: string | undefined): Promise<PinbenchDeployment> {
  const { signer, compiled, params } = options;
  const from = sender.address;
  const nonce = sender.nonce;
  const predict = (offset: number): string => getCreateAddress({ from, nonce: nonce + offset });
  const reuseVerifier = existingVerifier !== undefined;
  const first = reuseVerifier ? 0 : 1;
  const addresses = {
    verifier: existingVerifier ?? predict(0),
    registry: predict(first),
    token: predict(first + 1),
    settlement: predict(first + 2),
  };

  const deployTx = (c: CompiledContract, args: unknown[]): Promise<TransactionRequest> =>
    new ContractFactory(c.abi, c.bytecode, signer).getDeployTransaction(...args);
  const creations: TransactionRequest[] = [
    ...(reuseVerifier ? [] : [await deployTx(compiled.verifier!, [])]),
    await deployTx(compiled.registry, [operator]),
    await deployTx(compiled.token, [params.maxSupplyWei ?? params.policy?.maxSupplyWei ?? DEFAULT_MAX_SUPPLY_WEI, from, params.genesisStakeWei ?? 0n]),
    await deployTx(compiled.settlement, [addresses.verifier, addresses.registry, addresses.token, operator, settlementConfig(params)]),
  ];
  const token = new Contract(addresses.token, compiled.token.abi, signer);
  const setMinter = await token.getFunction('setMinter').populateTransaction(addresses.settlement);
  const genesis = params.genesisStakeWei ?? 0n;
  // The genesis stakes go to the settlement only through depositStake, so it may take all of them.
  const approve = genesis === 0n ? undefined : await token.getFunction('approve').populateTransaction(addresses.settlement, genesis);

  const decodeWith = { settlement: new Interface(compiled.settlement.abi), token };
  const names = [...(reuseVerifier ? [] : ['verifier']), 'registry', 'token', 'settlement'];
  let receipts: TransactionReceipt[];
  try {
    // Constructors read no other contract, so estimates hold before the earlier deploys are mined.
    const limits = await Promise.all(creations.map((tx) => estimateGasLimit(signer, tx, decodeWith)));
    // Sent without an await in between: the sender numbers them in call order.
    const sent = [
      ...creations.map((tx, i) => sender.send({ to: null, data: String(tx.data), gasLimit: limits[i]!, label: `deploy ${names[i]}`, decodeWith })),
      sender.send({ to: addresses.token, data: setMinter.data, gasLimit: SET_MINTER_GAS_LIMIT, label: 'token setMinter', decodeWith }),
      ...(approve === undefined ? [] : [sender.send({ to: addresses.token, data: approve.data, gasLimit: APPROVE_GAS_LIMIT, label: 'token approve stakes', decodeWith })]),
    ];
    receipts = await Promise.all(sent);
  } catch (error) {
    throw decodeContractError(error, decodeWith);
  }
  const created = receipts.slice(0, creations.length);
  const expected = [...(reuseVerifier ? [] : [addresses.verifier]), addresses.registry, addresses.token, addresses.settlement];
  created.forEach((r, i) => {
    if (r.contractAddress === null || getAddress(r.contractAddress) !== expected[i]) {
      throw new PinbenchError(
        'DEPLOY_NONCE_RACE',
        `a deploy transaction landed at ${r.contractAddress} instead of ${expected[i]}: another sender used ${from}'s nonces; deploy from an account nothing else sends from`,
      );
    }
  });

  const gas = created.map((r) => r.gasUsed);
  const deployGas: DeployGas = {
    verifier: reuseVerifier ? 0n : gas[0],
    registry: gas[first],
    token: gas[first + 1],
    settlement: gas[first + 2],
    setMinter: receipts[creations.length].gasUsed,
    approveStakes: approve === undefined ? 0n : receipts[creations.length + 1].gasUsed,
    total: receipts.reduce((sum, r) => sum + r.gasUsed, 0n),
  };
  const verifierAbi = compiled.verifier?.abi ?? [
    `function verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${2 + Math.ceil(params.batchSize / 6)}]) view returns (bool)`,
  ];
  return {
    registry: new Contract(addresses.registry, compiled.registry.abi, signer),
    token,
    settlement: new Contract(addresses.settlement, compiled.settlement.abi, signer),
    verifier: new Contract(addresses.verifier, verifierAbi, signer),
    addresses,
    deployGas,
  };
}

/**
 * Registers devices through `registerMany` in chunks (the registry must be connected to the
 * operator's signer). Chunks go out back to back through one sender with consecutive nonces.
 */
export async function registerDevices(
  registry: Contract,
  devices: readonly DeviceRegistration[],
  options: {
    chunkSize?: number;
    /** Sends the chunks (the registry signer's sender, e.g. a run's operator sender); default one started for this call. */
    sender?: TxSender;
    /**
     * A chunk's gas limit from the node's estimate, made as the chunks go out (so possibly
     * before the earlier ones are mined); default the estimate itself.
     */
    gasLimitFromEstimate?: (estimate: bigint) => bigint;
  } = {},
): Promise<RegisterResult> {
  const chunkSize = options.chunkSize ?? 200;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new PinbenchError('INVALID_ARGUMENT', `option chunkSize: expected a positive integer, got ${chunkSize}`);
  }
  const signer = signerOf(registry);
  const normalized = devices.map((d, i) => normalizeDevice(d, i));
  const seen = new Map<string, number>();
  normalized.forEach((d, i) => {
    const before = seen.get(d.idHash);
    if (before !== undefined) {
      throw new PinbenchError('DUPLICATE_DEVICE', `devices[${i}] repeats the idHash of devices[${before}] (${d.idHash}): register each device once`);
    }
    seen.set(d.idHash, i);
  });
  if (normalized.length === 0) return { indices: [], events: [], gasUsed: 0n, chunks: [] };

  const confirms = devices.map((d, i) => {
    if (d.confirm === undefined) return { timestamp: 0, signature: '0x' };
    const { timestamp } = d.confirm;
    let signature: Uint8Array;
    try {
      signature = getBytes(d.confirm.signature);
    } catch (cause) {
      throw new PinbenchError('INVALID_ARGUMENT', `devices[${i}].confirm.signature must be bytes or 0x-hex`, { cause });
    }
    if (!(Number.isInteger(timestamp) && timestamp > 0 && timestamp <= 0xffffffff) || signature.length !== 64) {
      throw new PinbenchError(
        'INVALID_ARGUMENT',
        `devices[${i}].confirm: expected a uint32 timestamp > 0 and a 64-byte r‖s signature, got ${timestamp} and ${signature.length} bytes`,
      );
    }
    return { timestamp, signature: hexlify(signature) };
  });
  const register = registry.getFunction('registerMany');
  const registerConfirmed = registry.getFunction('registerManyConfirmed');
  const requests: TransactionRequest[] = [];
  for (let start = 0; start < normalized.length; start += chunkSize) {
    const chunk = normalized.slice(start, start + chunkSize);
    const args = [chunk.map((d) => d.idHash), chunk.map((d) => d.pubKey), chunk.map((d) => d.owner)] as const;
    const chunkConfirms = confirms.slice(start, start + chunkSize);
    // Chunks without any confirm keep the cheaper call (no empty confirm arrays in calldata).
    requests.push(
      chunkConfirms.some((c) => c.timestamp !== 0)
        ? await registerConfirmed.populateTransaction(...args, chunkConfirms.map((c) => c.timestamp), chunkConfirms.map((c) => c.signature))
        : await register.populateTransaction(...args),
    );
  }

  const decodeWith = { registry };
  const gasLimitOf = options.gasLimitFromEstimate ?? ((estimate: bigint) => estimate);
  let receipts: TransactionReceipt[];
  try {
    receipts = await withSender(signer, options.sender, async (sender) => {
      const sent: Array<Promise<TransactionReceipt>> = [];
      for (const [i, request] of requests.entries()) {
        const gasLimit = gasLimitOf(await estimateGasLimit(signer, request, decodeWith));
        const label = `register chunk ${i + 1}/${requests.length}`;
        const receipt = sender.send({ to: String(request.to), data: String(request.data), gasLimit, label, decodeWith });
        // Awaited together below; one failing while later chunks are estimated is not unhandled.
        receipt.catch(() => undefined);
        sent.push(receipt);
      }
      return Promise.all(sent);
    });
  } catch (error) {
    throw decodeContractError(error, decodeWith);
  }

  const eventById = new Map<string, DeviceRegisteredEvent>();
  for (const receipt of receipts) {
    for (const log of receipt.logs) {
      const parsed = registry.interface.parseLog(log);
      if (parsed?.name !== 'DeviceRegistered') continue;
      const idHash = String(parsed.args.idHash);
      eventById.set(idHash, { index: Number(parsed.args.index), idHash, owner: String(parsed.args.owner), pubKey: getBytes(parsed.args.pubKey) });
    }
  }
  const events = normalized.map((d, i) => {
    const event = eventById.get(d.idHash);
    if (event === undefined) {
      throw new PinbenchError('CONTRACT_EVENT_MISSING', `devices[${i}] (${d.idHash}): its registration was mined without a DeviceRegistered event; is the registry at ${String(registry.target)} pinbench's DeviceRegistry?`);
    }
    return event;
  });
  return {
    indices: events.map((e) => e.index),
    events,
    gasUsed: receipts.reduce((sum, r) => sum + r.gasUsed, 0n),
    chunks: receipts.map((r, i) => ({ size: Math.min(chunkSize, normalized.length - i * chunkSize), gasUsed: r.gasUsed })),
  };
}

function providerOf(signer: Signer): Provider {
  if (!signer.provider) {
    throw new PinbenchError('NO_PROVIDER', 'the signer is not connected to a provider: create it with new Wallet(key, provider)');
  }
  return signer.provider;
}

/** Settlement.sol's Config tuple. */
export function settlementConfig(params: SettlementParams): unknown[] {
  const policy = params.policy;
  return [
    params.batchSize, params.unitsPerSample, params.maxStepE7, params.rewardPerUnitWei,
    policy?.circuit.capUnits ?? 0n, policy?.circuit.minSamples ?? 0, policy?.circuit.epochPenalty ?? false,
    policy?.emissionKind ?? 0, policy?.emissionGwei ?? 0n, policy?.halvingEvery ?? 0, policy?.decayQE18 ?? 0n,
    policy?.stakeWei ?? 0n, policy?.slashBps ?? 0,
  ];
}

function validateParams(p: SettlementParams): void {
  if (!Number.isInteger(p.batchSize) || p.batchSize < 4 || p.batchSize % 4 !== 0 || p.batchSize > 1024) {
    throw new PinbenchError('INVALID_ARGUMENT', `option params.batchSize: expected a multiple of 4 in 4..1024, got ${p.batchSize}`);
  }
  for (const key of ['unitsPerSample', 'maxStepE7'] as const) {
    const value = BigInt(p[key]);
    if (value < 0n || value >= SCALAR_FIELD) {
      throw new PinbenchError('INVALID_ARGUMENT', `option params.${key}: expected a non-negative integer below the BN254 scalar field, got ${value}`);
    }
  }
  if (BigInt(p.rewardPerUnitWei) < 0n) {
    throw new PinbenchError('INVALID_ARGUMENT', `option params.rewardPerUnitWei: expected a non-negative integer, got ${p.rewardPerUnitWei}`);
  }
}

function checkAddress(value: string, name: string): string {
  if (!isAddress(value) || getAddress(value) === ZeroAddress) {
    throw new PinbenchError('INVALID_ARGUMENT', `option ${name}: expected a non-zero 0x address, got ${JSON.stringify(value)}`);
  }
  return getAddress(value);
}

function normalizeDevice(d: DeviceRegistration, i: number): { idHash: string; pubKey: string; owner: string } {
  let idHash: Uint8Array;
  let pubKey: Uint8Array;
  try {
    idHash = getBytes(d.idHash);
    pubKey = getBytes(d.pubKey);
  } catch (cause) {
    throw new PinbenchError('INVALID_ARGUMENT', `devices[${i}]: idHash and pubKey must be bytes or 0x-hex strings`, { cause });
  }
  if (idHash.length !== 32 || idHash.every((byte) => byte === 0)) {
    throw new PinbenchError('INVALID_ARGUMENT', `devices[${i}].idHash: expected 32 non-zero bytes, got ${hexlify(idHash)}`);
  }
  if (pubKey.length !== 65 || pubKey[0] !== 0x04) {
    throw new PinbenchError(
      'INVALID_ARGUMENT',
      `devices[${i}].pubKey: expected a 65-byte uncompressed key starting with 0x04, got ${pubKey.length} bytes starting with 0x${(pubKey[0] ?? 0).toString(16).padStart(2, '0')}`,
    );
  }
  return { idHash: hexlify(idHash), pubKey: hexlify(pubKey), owner: checkAddress(d.owner, `devices[${i}].owner`) };
}
