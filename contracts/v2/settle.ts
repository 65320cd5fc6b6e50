/**
 * Deploy, settle and claim helpers for SettlementV2. Deployment reuses contracts/deploy.ts
 * (SettlementV2 takes the v1 constructor arguments); reverts are decoded with v2 hints.
 */
import type { BigNumberish, Contract, Signer, TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { deployPinbench, type PinbenchDeployment, type SettlementParams } from '../deploy.ts';
import { decodeContractError, type ContractLike } from '../errors.ts';
import type { CompiledPinbenchV2 } from './compile.ts';

export interface SettleArgsV2 {
  /** a0, a1, b00, b01, b10, b11, c0, c1 (proveBatchV2's proofWords). */
  proof: readonly BigNumberish[];
  header: BigNumberish;
  commitment: BigNumberish;
  lanes: readonly BigNumberish[];
}

export interface TxOptions {
  gasLimit?: bigint;
  nonce?: number;
  /** More ABIs to decode reverts raised inside other contracts, e.g. `{ registry, token }`. */
  decodeWith?: Record<string, ContractLike>;
}

export interface TxResult {
  receipt: TransactionReceipt;
  gasUsed: bigint;
  /** Bytes of the transaction's input data. */
  calldataBytes: number;
}

/** What to do next, per custom error that SettlementV2 adds to v1's. */
const HINTS_V2: Record<string, (a: Record<string, unknown>) => string> = {
  WrongLaneCount: (a) => `the settlement has ${a.got} lanes but the contract expects ${a.expected}; use the verifier and contract built for the same batchSize`,
  HeaderOutOfRange: () => 'the header has bits above 2^128; encode it with encodeHeader',
  WrongParams: (a) => `the header carries unitsPerSample ${a.unitsPerSample} and maxStepE7 ${a.maxStepE7}, not the contract's; prove with the params the contract was deployed with`,
  AccrualOverflow: (a) => `device ${a.index}'s accrued units reached 2^62; its owner must claim before it can accrue more`,
  NotOwner: (a) => `${a.caller} does not own device ${a.index} in the registry; claim only devices registered to the sending account`,
};

function decode(error: unknown, contracts: Record<string, ContractLike>): PinbenchError {
  const decoded = decodeContractError(error, contracts);
  const name = decoded.details.error as string | undefined;
  const hint = name === undefined ? undefined : HINTS_V2[name];
  if (hint === undefined) return decoded;
  const args = (decoded.details.args ?? {}) as Record<string, unknown>;
  const call = `${name}(${Object.entries(args).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
  return new PinbenchError('CONTRACT_REVERTED', `${String(decoded.details.contract)} reverted with ${call}: ${hint(args)}`, { cause: error, details: decoded.details });
}

export async function deployPinbenchV2(options: {
  signer: Signer;
  compiled: CompiledPinbenchV2;
  params: SettlementParams;
  operator: string;
}): Promise<PinbenchDeployment> {
  return deployPinbench(options);
}

async function send(contract: Contract, method: string, args: unknown[], options: TxOptions): Promise<TxResult> {
  let receipt: TransactionReceipt | null;
  try {
    const tx = await contract.getFunction(method)(...args, {
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
    });
    receipt = await tx.wait();
    if (receipt === null) throw new PinbenchError('TX_DROPPED', `the ${method} transaction was dropped or replaced: send it again`);
    const data = (await contract.runner!.provider!.getTransaction(receipt.hash))?.data ?? '0x';
    return { receipt, gasUsed: receipt.gasUsed, calldataBytes: (data.length - 2) / 2 };
  } catch (error) {
    throw decode(error, { settlement: contract, ...options.decodeWith });
  }
}

/** Submits one batch proof (operator only); accrues units per device. */
export function settleBatchV2(settlement: Contract, args: SettleArgsV2, options: TxOptions = {}): Promise<TxResult> {
  if (args.proof.length !== 8) {
    throw new PinbenchError('INVALID_ARGUMENT', `proof: expected 8 words (proveBatchV2's proofWords), got ${args.proof.length}`);
  }
  return send(settlement, 'settle', [args.proof, args.header, args.commitment, args.lanes], options);
}

/** Mints the accrued rewards of the given devices to the sender, who must own each of them. */
export async function claimRewardsV2(settlement: Contract, deviceIndexes: readonly BigNumberish[], options: TxOptions = {}): Promise<TxResult & { units: bigint; amountWei: bigint }> {
  const result = await send(settlement, 'claim', [deviceIndexes], options);
  let units = 0n;
  let amountWei = 0n;
  for (const log of result.receipt.logs) {
    const parsed = settlement.interface.parseLog(log);
    if (parsed?.name === 'Claimed') {
      units = parsed.args.units as bigint;
      amountWei = parsed.args.amountWei as bigint;
    }
  }
  return { ...result, units, amountWei };
}
