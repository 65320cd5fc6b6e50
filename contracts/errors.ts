import { Interface, isError, type BaseContract, type ErrorDescription } from 'ethers';
import { PinbenchError } from '../core/errors.ts';

/** A contract instance or just its interface: anything whose ABI can decode revert data. */
export type ContractLike = BaseContract | Interface;

type Args = Record<string, unknown>;

/** What to do next, per custom error of DeviceRegistry, RewardToken and Settlement. */
const HINTS: Record<string, (a: Args) => string> = {
  NotOperator: () => "the sender is not the contract's operator; send from the operator account given at deploy",
  AlreadySettled: (a) => `epoch ${a.epoch} batch ${a.batch} is already settled; do not submit it again`,
  InvalidProof: () =>
    'the verifier rejected the proof; check that the proof, the public signals and the verifier come from the same circuit build',
  WrongLaneCount: (a) => `the settlement has ${a.got} lanes but the contract expects ${a.expected}; use the verifier and contract built for the same batchSize`,
  HeaderOutOfRange: () => 'the header has bits above 2^173; encode it with encodeHeader',
  WrongPolicy: (a) =>
    `the header carries capUnits ${a.capUnits}, minSamples ${a.minSamples} and epochPenalty ${a.epochPenalty}, not the contract's; prove with the reward policy the contract was deployed with`,
  NotProRata: () => 'the contract pays a rate per unit and has no epochs to open; only a pro-rata policy (constant, halving, decay) opens epochs',
  EpochAlreadyOpened: (a) => `epoch ${a.epoch} is already open with its declared total; an epoch is opened once (read epochBook to see what was declared)`,
  EpochNotOpened: (a) => `epoch ${a.epoch} was not opened: a pro-rata policy needs openEpoch(epoch, totalUnits, batches) before its first settle`,
  UnitsAboveDeclared: (a) =>
    `epoch ${a.epoch}'s settled units would reach ${a.settledUnits}, above the ${a.totalUnits} declared at openEpoch; the declared total must be the epoch's whole sum of units`,
  BatchesAboveDeclared: (a) => `epoch ${a.epoch} would have ${a.batches} settled batches, more than declared at openEpoch`,
  NoStakes: () => 'the settlement was deployed without stakes (stakeWei 0); give the policy a stake to bond devices',
  StakeBeyondRegistered: (a) =>
    `bonding devices through index ${a.throughIndex} is past the ${a.registered} registered; register the devices first and bond at least one`,
  SupplyExceeded: (a) =>
    `minting ${a.amount} wei would take the token's supply from ${a.totalSupply} past its cap of ${a.maxSupply} wei (the policy's maxSupplyWei); lower the emission or raise maxSupplyWei`,
  ZeroMaxSupply: () => 'the token was deployed with a maxSupply of 0; give the policy a positive maxSupplyWei',
  WrongParams: (a) => `the header carries unitsPerSample ${a.unitsPerSample} and maxStepE7 ${a.maxStepE7}, not the contract's; prove with the params the contract was deployed with`,
  AccrualOverflow: (a) => `device ${a.index}'s accrued units reached 2^62; its owner must claim before it can accrue more`,
  NotOwner: (a) => `${a.caller} does not own device ${a.index} in the registry; claim only devices registered to the sending account`,
  SignalOutOfField: (a) =>
    `public signal ${a.position} (${a.value}) is not below the BN254 scalar field; the input was altered or encoded wrongly`,
  VerifierCallFailed: (a) =>
    `the verifier at ${a.verifier} did not answer verifyProof for this batch size; deploy the verifier built for this batchSize (2 + ceil(batchSize/6) public signals)`,
  InvalidConfig: (a) => `invalid deploy parameter: ${a.reason}; fix the deploy parameters`,
  LengthMismatch: (a) =>
    `registerMany got ${a.idHashes} ids, ${a.pubKeys} keys and ${a.owners} owners; pass arrays of equal length`,
  EmptyIdHash: (a) => `device ${a.position} of the call has a zero id hash; hash the device id before registering`,
  DuplicateDevice: (a) => `device ${a.idHash} is already registered at index ${a.index}; register each device once`,
  InvalidPublicKey: (a) =>
    `device ${a.idHash} has a ${a.length}-byte public key; pass the 65-byte uncompressed key (0x04 ‖ x ‖ y)`,
  ZeroOwner: (a) => `device ${a.idHash} has the zero address as owner; give each device an owner address`,
  ConfirmLengthMismatch: (a) =>
    `registerManyConfirmed got ${a.idHashes} ids, ${a.timestamps} confirm timestamps and ${a.signatures} signatures; pass arrays of equal length`,
  InvalidConfirm: (a) =>
    `device ${a.idHash} has confirm timestamp ${a.timestamp} with a ${a.signatureLength}-byte signature; pass a non-zero timestamp with the 64-byte r‖s signature, or 0 with none`,
  ZeroAddress: () => 'an address argument is the zero address; pass a real address',
  NotMinter: () => 'only the minter (the settlement contract) may mint; rewards are minted through Settlement.claim',
  NotDeployer: () => "only the token's deployer may set the minter; send from the deploying account",
  MinterAlreadySet: (a) => `the minter is already set to ${a.minter}; it can be set once only, deploy a new token to change it`,
  InsufficientBalance: (a) => `${a.from} holds ${a.balance} but ${a.needed} is needed; transfer less`,
  InsufficientAllowance: (a) => `${a.spender} may spend ${a.allowance} but ${a.needed} is needed; approve more first`,
};

/** Solidity panic codes (docs: "Panic via assert and error via require"). */
const PANICS: Record<string, string> = {
  '1': 'assertion failed',
  '17': 'arithmetic overflow or underflow',
  '18': 'division by zero',
  '33': 'invalid enum value',
  '34': 'invalid storage byte array',
  '49': 'pop from an empty array',
  '50': 'array index out of bounds',
  '65': 'out of memory',
  '81': 'call to an uninitialized function',
};

/**
 * Turns an ethers error into a PinbenchError that names the reverting contract's custom error
 * and its arguments, decoded with the ABIs given (keyed by the name to show, e.g. `{ settlement }`).
 */
export function decodeContractError(error: unknown, contracts: Record<string, ContractLike>): PinbenchError {
  if (error instanceof PinbenchError) return error;
  const data = findRevertData(error);
  if (data !== undefined && data.length >= 10) {
    for (const [label, contract] of Object.entries(contracts)) {
      const iface = contract instanceof Interface ? contract : contract.interface;
      const parsed = safeParse(iface, data);
      if (parsed) return describeRevert(label, parsed, data, error);
    }
    return new PinbenchError(
      'CONTRACT_REVERTED',
      `transaction reverted with unknown error data ${data.slice(0, 10)}; pass the ABI of the contract that reverted to decode it`,
      { cause: error, details: { data } },
    );
  }
  if (isError(error, 'CALL_EXCEPTION')) {
    return new PinbenchError(
      'CONTRACT_REVERTED',
      `transaction reverted without a reason (${error.shortMessage}); if it was mined, it likely ran out of gas: raise its gas limit`,
      { cause: error, details: { receiptStatus: error.receipt?.status } },
    );
  }
  const message = isError(error, 'UNKNOWN_ERROR') || !(error instanceof Error) ? String(error) : error.message;
  const short = (error as { shortMessage?: string }).shortMessage ?? message.split('\n')[0];
  return new PinbenchError('CHAIN_REQUEST_FAILED', `chain request failed: ${short}; check that the node is running and the account is funded`, {
    cause: error,
  });
}

function describeRevert(label: string, parsed: ErrorDescription, data: string, cause: unknown): PinbenchError {
  const args: Args = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name || `arg${i}`] = normalize(parsed.args[i]);
  });
  if (parsed.name === 'Error' && parsed.signature === 'Error(string)') {
    return new PinbenchError('CONTRACT_REVERTED', `${label} reverted: "${String(args.message ?? parsed.args[0])}"`, {
      cause,
      details: { contract: label, error: 'Error', args, data },
    });
  }
  if (parsed.name === 'Panic' && parsed.signature === 'Panic(uint256)') {
    const code = String(parsed.args[0]);
    return new PinbenchError(
      'CONTRACT_REVERTED',
      `${label} panicked: ${PANICS[code] ?? `panic code ${code}`}; this is a contract bug or an input far out of range`,
      { cause, details: { contract: label, error: 'Panic', args, data } },
    );
  }
  const call = `${parsed.name}(${Object.entries(args).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
  const hint = HINTS[parsed.name]?.(args) ?? `see ${label}'s source for when ${parsed.name} is raised`;
  return new PinbenchError('CONTRACT_REVERTED', `${label} reverted with ${call}: ${hint}`, {
    cause,
    details: { contract: label, error: parsed.name, args, data },
  });
}

function safeParse(iface: Interface, data: string): ErrorDescription | null {
  try {
    return iface.parseError(data);
  } catch {
    return null;
  }
}

function normalize(value: unknown): unknown {
  return typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * ethers puts revert data in different places depending on where the call failed (estimateGas,
 * eth_call, a JSON-RPC error payload); look through the usual nesting for a hex `data` string.
 */
function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || error === null || typeof error !== 'object') return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === 'string' && /^0x[0-9a-fA-F]*$/.test(data) && data.length >= 10) return data;
  for (const key of ['data', 'error', 'info', 'cause', 'revert']) {
    const found = findRevertData(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
