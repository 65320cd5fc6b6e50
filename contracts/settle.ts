/**
 * Settle and claim: the two calls that move rewards, sent through a TxSender (contracts/tx/).
 * Reverts come back as a PinbenchError naming the custom error, its arguments and what to do.
 */
import { toBigInt, type BigNumberish, type Contract, type TransactionReceipt } from 'ethers';
import { PinbenchError } from '../core/errors.ts';
import { decodeHeader } from '../core/reward-rule.ts';
import { decodeContractError, type ContractLike } from './errors.ts';
import { plural } from './tx/entries.ts';
import { estimateGasLimit } from './tx/estimate.ts';
import type { TxSender } from './tx/tx-sender.ts';
import { signerOf, withSender } from './tx/with-sender.ts';

export interface SettleArgs {
  /** a0, a1, b00, b01, b10, b11, c0, c1 (proveBatch's proofWords). */
  proof: readonly BigNumberish[];
  header: BigNumberish;
  commitment: BigNumberish;
  lanes: readonly BigNumberish[];
}

export interface TxOptions {
  /** Default: the node's estimate, which refuses a call that would revert before anything is sent. */
  gasLimit?: bigint;
  /**
   * Sends through this sender (of the contract's signer), e.g. a run's operator sender; default
   * a sender started for this call only. Fixed fees, if wanted, are the sender's `fees` option.
   */
  sender?: TxSender;
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
export function settleGasLimit(batchSize: number, proRata = false, stakes = false): bigint {
  // Pro rata also updates the epoch's book (two warm slots) and shares each slot with a checked
  // add: 297,752 against ~280k for the first settle at B = 4; 2k a device leaves room at B = 32.
  // A slash is one cold slot filled and an event (~27k): room for every device flagged.
  return BigInt(300_000 + 10_000 * Math.ceil(batchSize / 6) + 26_000 * (batchSize / 4) + (proRata ? 20_000 + 2_000 * batchSize : 0) + (stakes ? 32_000 * batchSize : 0));
}

/** The settle call's calldata, for senders that sign transactions themselves. */
export function encodeSettle(settlement: Contract, args: SettleArgs): string {
  if (args.proof.length !== 8) {
    throw new PinbenchError('INVALID_ARGUMENT', `proof: expected 8 words (proveBatch's proofWords), got ${args.proof.length}`);
  }
  return settlement.interface.encodeFunctionData('settle', [args.proof, args.header, args.commitment, args.lanes]);
}

/** One call of the settlement contract, estimated unless a gas limit is given. */
async function send(contract: Contract, data: string, label: string, options: TxOptions): Promise<TxResult> {
  const decodeWith = { settlement: contract, ...options.decodeWith };
  try {
    const signer = signerOf(contract);
    const to = await contract.getAddress();
    const gasLimit = options.gasLimit ?? (await estimateGasLimit(signer, { to, data }, decodeWith));
    const receipt = await withSender(signer, options.sender, (sender) => sender.send({ to, data, gasLimit, label, decodeWith }));
    return { receipt, gasUsed: receipt.gasUsed, calldataBytes: (data.length - 2) / 2 };
  } catch (error) {
    throw decodeContractError(error, decodeWith);
  }
}

/** Submits one batch proof (operator only); accrues units per device. */
export async function settleBatch(settlement: Contract, args: SettleArgs, options: TxOptions = {}): Promise<TxResult> {
  const data = encodeSettle(settlement, args); // refuses a malformed proof before anything is sent
  const { epoch, batch } = decodeHeader(toBigInt(args.header));
  return send(settlement, data, `settle epoch ${epoch} batch ${batch}`, options);
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
  const data = settlement.interface.encodeFunctionData('claim', [deviceIndexes]);
  const result = await send(settlement, data, `claim for ${plural(deviceIndexes.length, 'device')}`, options);
  return { ...result, ...claimedOf(settlement, result.receipt) };
}

/** openEpoch writes two cold slots of the epoch's book and an event (~70k); fixed, so it can be sent ahead of its receipt. */
export const OPEN_EPOCH_GAS_LIMIT = 120_000n;

/** Declares a pro-rata epoch's total units and batch count (operator only; Settlement.openEpoch). */
export async function openEpoch(settlement: Contract, book: { epoch: number; totalUnits: bigint; batches: number }, options: TxOptions = {}): Promise<TxResult> {
  const data = settlement.interface.encodeFunctionData('openEpoch', [book.epoch, book.totalUnits, book.batches]);
  return send(settlement, data, `open epoch ${book.epoch}`, { gasLimit: OPEN_EPOCH_GAS_LIMIT, ...options });
}

/** depositStake moves tokens (two warm balances, the allowance) and writes one slot (~60k); fixed, so it can be sent ahead. */
export const DEPOSIT_STAKE_GAS_LIMIT = 150_000n;

/** Bonds the next `count` registered devices with the policy's stake each, from the sender's tokens (Settlement.depositStake). */
export async function depositStake(settlement: Contract, count: number, options: TxOptions = {}): Promise<TxResult> {
  const data = settlement.interface.encodeFunctionData('depositStake', [count]);
  return send(settlement, data, `stake ${count} devices`, { gasLimit: DEPOSIT_STAKE_GAS_LIMIT, ...options });
}
