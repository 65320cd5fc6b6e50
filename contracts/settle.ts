/**
 * Settle and claim: the two calls that move rewards. Reverts come back as a PinbenchError
 * naming the custom error, its arguments and what to do.
 */
import type { BigNumberish, Contract, TransactionReceipt } from 'ethers';
import { PinbenchError } from '../core/errors.ts';
import { decodeContractError, type ContractLike } from './errors.ts';

export interface SettleArgs {
  /** a0, a1, b00, b01, b10, b11, c0, c1 (proveBatch's proofWords). */
  proof: readonly BigNumberish[];
  header: BigNumberish;
  commitment: BigNumberish;
  lanes: readonly BigNumberish[];
}

export interface TxOptions {
  gasLimit?: bigint;
  nonce?: number;
  /** Explicit fees (EIP-1559 or legacy), so no fee quote is asked for per transaction. */
  fees?: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };
  /** More ABIs to decode reverts raised inside other contracts, e.g. `{ registry, token }`. */
  decodeWith?: Record<string, ContractLike>;
}

export interface TxResult {
  receipt: TransactionReceipt;
  gasUsed: bigint;
  /** Bytes of the transaction's input data. */
  calldataBytes: number;
}

/**
 * Gas limit for one settlement of a batch of `batchSize`: above the cold case measured from
 * receipts (first settlement of an epoch and first accruals of its devices: 280k at B = 4, 477k
 * at B = 32; docs/proofs-and-settlement.md), so a pre-signed settlement never runs out of gas.
 */
export function settleGasLimit(batchSize: number): bigint {
  return BigInt(300_000 + 10_000 * Math.ceil(batchSize / 6) + 26_000 * (batchSize / 4));
}

/** The settle call's calldata, for senders that sign transactions themselves. */
export function encodeSettle(settlement: Contract, args: SettleArgs): string {
  if (args.proof.length !== 8) {
    throw new PinbenchError('INVALID_ARGUMENT', `proof: expected 8 words (proveBatch's proofWords), got ${args.proof.length}`);
  }
  return settlement.interface.encodeFunctionData('settle', [args.proof, args.header, args.commitment, args.lanes]);
}

async function send(contract: Contract, method: string, args: unknown[], options: TxOptions): Promise<TxResult> {
  let receipt: TransactionReceipt | null;
  try {
    const tx = await contract.getFunction(method)(...args, {
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
      ...options.fees,
    });
    receipt = await tx.wait();
    if (receipt === null) throw new PinbenchError('TX_DROPPED', `the ${method} transaction was dropped or replaced: send it again`);
    return { receipt, gasUsed: receipt.gasUsed, calldataBytes: (tx.data.length - 2) / 2 };
  } catch (error) {
    throw decodeContractError(error, { settlement: contract, ...options.decodeWith });
  }
}

/** Submits one batch proof (operator only); accrues units per device. */
export async function settleBatch(settlement: Contract, args: SettleArgs, options: TxOptions = {}): Promise<TxResult> {
  encodeSettle(settlement, args); // refuses a malformed proof before anything is sent
  return send(settlement, 'settle', [args.proof, args.header, args.commitment, args.lanes], options);
}

/**
 * Gas limit for a claim of `devices` devices: above the measured 86,683 for one device (the
 * owner's first mint) and 228,053 for 32 (docs/proofs-and-settlement.md).
 */
export function claimGasLimit(devices: number): bigint {
  return BigInt(110_000 + 8_000 * devices);
}

/** The units and amount a claim minted, from its `Claimed` event. */
function claimedOf(settlement: Contract, receipt: TransactionReceipt): { units: bigint; amountWei: bigint } {
  for (const log of receipt.logs) {
    const parsed = settlement.interface.parseLog(log);
    if (parsed?.name === 'Claimed') return { units: parsed.args.units as bigint, amountWei: parsed.args.amountWei as bigint };
  }
  return { units: 0n, amountWei: 0n };
}

/** Mints the accrued rewards of the given devices to the sender, who must own each of them. */
export async function claimRewards(settlement: Contract, deviceIndexes: readonly BigNumberish[], options: TxOptions = {}): Promise<TxResult & { units: bigint; amountWei: bigint }> {
  const result = await send(settlement, 'claim', [deviceIndexes], options);
  return { ...result, ...claimedOf(settlement, result.receipt) };
}
