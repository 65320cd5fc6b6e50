import { ContractFactory, Interface, type Contract, type Wallet } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBatchWitness, buildCircuit, proveBatch, shutdownProver, type BatchWitness, type CircuitArtifacts } from '../../circuits/index.ts';
import {
  SCALAR_FIELD, claimRewards, compileContracts, decodeContractError, deployPinbench, registerDevices, settleBatch, settlementConfig, type SettleArgs,
} from '../../contracts/index.ts';
import { silentLogger } from '../../core/ports.ts';
import { SMALL_SHAPE, encodeHeader, packLanes, type RuleParams, type WorkReading } from '../../core/reward-rule.ts';
import { testCacheDir } from '../support/cache.ts';
import { PARAMS, ZERO_PROOF, fakePubKey, idHash, rollBackEachTest, startChainFixture, type ChainFixture } from './chain-fixture.ts';

// The same params as the fake-verifier deployment of chain-fixture.ts.
const params: RuleParams = {
  unitsPerSample: BigInt(PARAMS.unitsPerSample), maxStepE7: BigInt(PARAMS.maxStepE7), rewardPerUnitWei: BigInt(PARAMS.rewardPerUnitWei),
};
const rate = params.rewardPerUnitWei;
// Tests never build the default 32×4 shape (it needs a 2^15 ptau).
const shape = SMALL_SHAPE;
const INVALID_PROOF =
  'settlement reverted with InvalidProof(): the verifier rejected the proof; check that the proof, the public signals and the verifier come from the same circuit build';

let fx: ChainFixture;
let wallets: Wallet[];
let artifacts: CircuitArtifacts;
/** Settlement, token and registry verifying real proofs of the small circuit. */
let settlement: Contract;
let token: Contract;
let registry: Contract;
const proofs = new Map<string, { witness: BatchWitness; args: SettleArgs }>();

function track(n: number, start: number, step: number): WorkReading[] {
  return Array.from({ length: n }, (_, i) => ({ latE7: 100 + i * step, lonE7: 200, timestampS: start + 60 * i }));
}

async function prove(epoch: number, batch: number, devices: Array<{ deviceIndex: number; readings: WorkReading[] }>) {
  const witness = buildBatchWitness({ epoch, batch, params, devices }, shape);
  const { proofWords } = await proveBatch(artifacts, witness.input);
  proofs.set(`${epoch}/${batch}`, { witness, args: { proof: proofWords, header: witness.header, commitment: witness.commitment, lanes: witness.lanes } });
}
const get = (epoch: number, batch: number) => proofs.get(`${epoch}/${batch}`)!;

beforeAll(async () => {
  artifacts = await buildCircuit({ cacheDir: testCacheDir, ...shape, logger: silentLogger });
  const flaggedMiddle = track(3, 1_000, 1_000);
  flaggedMiddle[1]!.flagged = true;
  await prove(7, 0, [
    { deviceIndex: 1, readings: track(3, 1_000, 1_000) },
    { deviceIndex: 2, readings: track(2, 1_000, 9_000) },
    { deviceIndex: 4, readings: track(1, 1_000, 0) },
  ]);
  await prove(7, 1, [{ deviceIndex: 5, readings: track(4, 1_000, 100) }, { deviceIndex: 6, readings: flaggedMiddle }]);
  await prove(8, 0, [{ deviceIndex: 1, readings: track(2, 5_000, 10) }]);
  await shutdownProver();

  // One anvil: the fixture's deployment with the fake verifier, and one with the circuit's verifier.
  fx = await startChainFixture();
  wallets = fx.wallets;
  const compiled = await compileContracts({ cacheDir: testCacheDir, verifierSolPath: artifacts.verifierSolPath, logger: silentLogger });
  const deployment = await deployPinbench({ signer: wallets[0]!, compiled, operator: wallets[0]!.address, params: { ...PARAMS, batchSize: shape.batchSize } });
  ({ settlement, token, registry } = deployment);
  // Devices 1..6 (1..5 on the fake deployment); device i is owned by wallet 1 + (i - 1) % 3 (wallet 1 owns devices 1 and 4).
  const owner = (i: number) => wallets[1 + ((i - 1) % 3)]!.address;
  await registerDevices(registry, [1, 2, 3, 4, 5, 6].map((i) => ({ idHash: idHash(`device-${i}`), pubKey: fakePubKey(i), owner: owner(i) })));
  await registerDevices(fx.deployment.registry, [1, 2, 3, 4, 5].map((i) => ({ idHash: idHash(`device-${i}`), pubKey: fakePubKey(i), owner: owner(i) })));
}, 900_000);
rollBackEachTest(() => fx);

const accruedOn = async (s: Contract, index: number): Promise<bigint> => (await s.getFunction('accruedUnits')(index)) as bigint;
const accrued = (index: number) => accruedOn(settlement, index);
const balanceOn = async (t: Contract, w: number): Promise<bigint> => (await t.getFunction('balanceOf')(wallets[w]!.address)) as bigint;
const balance = (w: number) => balanceOn(token, w);
const as = (s: Contract, w: number): Contract => s.connect(wallets[w]!) as Contract;

describe('Settlement with real proofs (B = 4, K = 8)', () => {
  it("behavior: settle verifies and accrues each device's units without minting", async () => {
    const { witness, args } = get(7, 0);
    const result = await settleBatch(settlement, args);
    expect(witness.units).toEqual([30n + 2n * 1_000n, 20n + 5_000n, 0n, 10n]);
    expect(await accrued(1)).toBe(witness.units[0]);
    expect(await accrued(2)).toBe(witness.units[1]);
    expect(await accrued(3)).toBe(0n);
    expect(await accrued(4)).toBe(10n);
    expect(await token.getFunction('totalSupply')()).toBe(0n);
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(true);
    expect(await settlement.getFunction('isSettled')(7, 1)).toBe(false);
    // 8 proof words, header, commitment, the lanes' offset and length, one lane.
    expect(result.calldataBytes).toBe(4 + 32 * (8 + 2 + 2 + 1));
    expect(result.gasUsed).toBeGreaterThan(0n);
    expect(result.receipt.status).toBe(1);
  });

  it('behavior: accruals add up over epochs and batches; an owner claims several devices in one call', async () => {
    await settleBatch(settlement, get(7, 0).args);
    await settleBatch(settlement, get(7, 1).args);
    await settleBatch(settlement, get(8, 0).args);
    const device1 = get(7, 0).witness.units[0]! + get(8, 0).witness.units[0]!;
    expect(await accrued(1)).toBe(device1);
    expect(await accrued(5)).toBe(get(7, 1).witness.units[0]);
    // Device 6's middle reading is flagged: two samples, no step.
    expect(await accrued(6)).toBe(20n);
    const claimed = await claimRewards(as(settlement, 1), [1, 4]);
    expect(claimed.units).toBe(device1 + 10n);
    expect(claimed.amountWei).toBe((device1 + 10n) * rate);
    expect(await balance(1)).toBe((device1 + 10n) * rate);
    expect(await accrued(1)).toBe(0n);
    expect(await accrued(4)).toBe(0n);
    expect(await accrued(2)).toBe(get(7, 0).witness.units[1]);
    const again = await claimRewards(as(settlement, 1), [1]);
    expect(again.units).toBe(0n);
    expect(again.amountWei).toBe(0n);
    expect(await balance(1)).toBe((device1 + 10n) * rate);
    // Wallet 3 owns devices 3 and 6; wallet 2 owns 2 and 5.
    expect((await claimRewards(as(settlement, 3), [6])).amountWei).toBe(20n * rate);
    expect(await token.getFunction('totalSupply')()).toBe((device1 + 10n + 20n) * rate);
  });

  it('error: claiming a device owned by someone else reverts NotOwner and changes nothing', async () => {
    await settleBatch(settlement, get(7, 0).args);
    const caller = wallets[1]!.address;
    await expect(claimRewards(as(settlement, 1), [1, 2])).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: `settlement reverted with NotOwner(index=2, caller=${caller}): ${caller} does not own device 2 in the registry; claim only devices registered to the sending account`,
      details: { contract: 'settlement', error: 'NotOwner', args: { index: 2, caller } },
    });
    await expect(claimRewards(as(settlement, 1), [0])).rejects.toThrow(/NotOwner\(index=0, /);
    // The operator does not own devices either.
    await expect(claimRewards(settlement, [1])).rejects.toThrow(`NotOwner(index=1, caller=${wallets[0]!.address})`);
    expect(await accrued(1)).toBe(get(7, 0).witness.units[0]);
    expect(await balance(1)).toBe(0n);
  });

  it('error: a replayed settlement reverts AlreadySettled', async () => {
    await settleBatch(settlement, get(7, 0).args);
    await expect(settleBatch(settlement, get(7, 0).args)).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: 'settlement reverted with AlreadySettled(epoch=7, batch=0): epoch 7 batch 0 is already settled; do not submit it again',
      details: { contract: 'settlement', error: 'AlreadySettled', args: { epoch: 7, batch: 0 } },
    });
    expect(await accrued(1)).toBe(get(7, 0).witness.units[0]);
  });

  it('error: a settlement by a non-operator reverts NotOperator', async () => {
    await expect(settleBatch(as(settlement, 5), get(7, 0).args)).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: "settlement reverted with NotOperator(): the sender is not the contract's operator; send from the operator account given at deploy",
    });
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(false);
  });

  it('error: a tampered proof word, or an altered header, commitment or lane, reverts InvalidProof', async () => {
    const { args } = get(7, 0);
    for (const word of [0, 3, 7]) {
      const proof = [...args.proof];
      proof[word] = BigInt(proof[word]!) + 1n;
      await expect(settleBatch(settlement, { ...args, proof })).rejects.toMatchObject({ code: 'CONTRACT_REVERTED', message: INVALID_PROOF });
    }
    await expect(settleBatch(settlement, { ...args, header: encodeHeader(7, 2, params) })).rejects.toThrow(INVALID_PROOF);
    await expect(settleBatch(settlement, { ...args, commitment: BigInt(args.commitment) + 1n })).rejects.toThrow(INVALID_PROOF);
    // One more unit for device 1, or device 1's units given to device 3.
    await expect(settleBatch(settlement, { ...args, lanes: [BigInt(args.lanes[0]!) + 1n] })).rejects.toThrow(INVALID_PROOF);
    const units = get(7, 0).witness.units;
    await expect(settleBatch(settlement, { ...args, lanes: packLanes([0n, units[1]!, units[0]!, units[3]!]) })).rejects.toThrow(INVALID_PROOF);
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(false);
    expect(await accrued(1)).toBe(0n);
  });

  it("error: another epoch's proof does not settle this epoch", async () => {
    const other = get(8, 0).args;
    await expect(settleBatch(settlement, { ...other, header: encodeHeader(7, 0, params) })).rejects.toThrow(INVALID_PROOF);
    await expect(settleBatch(settlement, { ...get(7, 0).args, proof: other.proof })).rejects.toThrow(INVALID_PROOF);
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(false);
  });

  it('error: other params in the header revert WrongParams, another policy WrongPolicy, high header bits HeaderOutOfRange', async () => {
    const { args } = get(7, 0);
    await expect(settleBatch(settlement, { ...args, header: encodeHeader(7, 0, { unitsPerSample: 11n, maxStepE7: 5_000n }) })).rejects.toThrow(
      "settlement reverted with WrongParams(unitsPerSample=11, maxStepE7=5000): the header carries unitsPerSample 11 and maxStepE7 5000, not the contract's; prove with the params the contract was deployed with",
    );
    const capped = encodeHeader(7, 0, params, { capUnits: 50n, minSamples: 2, epochPenalty: true });
    await expect(settleBatch(settlement, { ...args, header: capped })).rejects.toThrow(
      "settlement reverted with WrongPolicy(capUnits=50, minSamples=2, epochPenalty=1): the header carries capUnits 50, minSamples 2 and epochPenalty 1, not the contract's; prove with the reward policy the contract was deployed with",
    );
    const high = BigInt(args.header) + (1n << 173n);
    await expect(settleBatch(settlement, { ...args, header: high })).rejects.toThrow(
      `settlement reverted with HeaderOutOfRange(header=${high}): the header has bits above 2^173; encode it with encodeHeader`,
    );
  });

  it('error: a wrong number of lanes reverts WrongLaneCount; a lane beyond the field SignalOutOfField', async () => {
    const { args } = get(7, 0);
    await expect(settleBatch(settlement, { ...args, lanes: [...args.lanes, 0n] })).rejects.toThrow(
      'settlement reverted with WrongLaneCount(expected=1, got=2): the settlement has 2 lanes but the contract expects 1; use the verifier and contract built for the same batchSize',
    );
    await expect(settleBatch(settlement, { ...args, lanes: [] })).rejects.toThrow('WrongLaneCount(expected=1, got=0)');
    const lane = BigInt(args.lanes[0]!) + SCALAR_FIELD;
    await expect(settleBatch(settlement, { ...args, lanes: [lane] })).rejects.toThrow(
      `settlement reverted with SignalOutOfField(position=2, value=${lane}): public signal 2 (${lane}) is not below the BN254 scalar field; the input was altered or encoded wrongly`,
    );
    await expect(settleBatch(settlement, { ...args, commitment: BigInt(args.commitment) + SCALAR_FIELD })).rejects.toThrow(/SignalOutOfField\(position=1, /);
  });

  it('error: a proof that is not 8 words is refused before sending', async () => {
    const { args } = get(7, 0);
    await expect(settleBatch(settlement, { ...args, proof: args.proof.slice(0, 7) })).rejects.toThrow(
      "proof: expected 8 words (proveBatch's proofWords), got 7",
    );
  });
});

describe('Settlement contract rules, with a fake verifier', () => {
  const EPOCH = 7;
  const COMMITMENT = 123456789n;
  const header = (epoch = EPOCH, batch = 0) => encodeHeader(epoch, batch, params);
  const args = (overrides: Partial<SettleArgs> = {}): SettleArgs => ({
    proof: ZERO_PROOF, header: header(), commitment: COMMITMENT, lanes: packLanes([3n, 5n, 0n, 7n]), ...overrides,
  });
  let fake: Contract;
  let fakeSettlement: Contract;
  beforeAll(() => {
    fake = fx.deployment.verifier;
    fakeSettlement = fx.deployment.settlement;
  });
  const fakeAccrued = (index: number) => accruedOn(fakeSettlement, index);

  it('behavior: public signals reach the verifier as [header, commitment, lane_0]', async () => {
    const a = args({ header: header(EPOCH, 1) });
    await (await fake.getFunction('expectSignals')([a.header, COMMITMENT, a.lanes[0]])).wait();
    await settleBatch(fakeSettlement, a);
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 1)).toBe(true);
  });

  it('error: signals in another order than the verifier expects revert InvalidProof', async () => {
    const a = args();
    await (await fake.getFunction('expectSignals')([COMMITMENT, a.header, a.lanes[0]])).wait();
    await expect(settleBatch(fakeSettlement, a)).rejects.toThrow(INVALID_PROOF);
  });

  it('behavior: lane slot j of batch b accrues to registry index b·4 + j + 1, registered or not', async () => {
    await settleBatch(fakeSettlement, args({ header: header(EPOCH, 1) }));
    expect(await Promise.all([4, 5, 6, 7, 8, 9].map(fakeAccrued))).toEqual([0n, 3n, 5n, 0n, 7n, 0n]);
    await settleBatch(fakeSettlement, args({ header: header(EPOCH + 1, 1), lanes: packLanes([1n, 1n, 1n, 1n]) }));
    expect(await Promise.all([5, 6, 7, 8].map(fakeAccrued))).toEqual([4n, 6n, 1n, 8n]);
    // Index 8 is not registered yet: nobody can claim it until someone is registered there.
    await expect(claimRewards(as(fakeSettlement, 1), [8])).rejects.toThrow(/NotOwner\(index=8, /);
    await registerDevices(fx.deployment.registry, [6, 7, 8].map((i) => ({ idHash: idHash(`late-${i}`), pubKey: fakePubKey(100 + i), owner: wallets[4]!.address })));
    const claimed = await claimRewards(as(fakeSettlement, 4), [8]);
    expect(claimed.units).toBe(8n);
    expect(await balanceOn(fx.deployment.token, 4)).toBe(8n * rate);
  });

  it('behavior: the largest units per slot accrue without carrying into the neighbours', async () => {
    const max = (1n << 40n) - 1n;
    await settleBatch(fakeSettlement, args({ lanes: packLanes([max, max, max, max]) }));
    await settleBatch(fakeSettlement, args({ header: header(EPOCH + 1), lanes: packLanes([max, 0n, max, 1n]) }));
    expect(await Promise.all([1, 2, 3, 4, 5].map(fakeAccrued))).toEqual([2n * max, max, 2n * max, max + 1n, 0n]);
    const claimed = await claimRewards(as(fakeSettlement, 1), [1, 4]);
    expect(claimed.units).toBe(3n * max + 1n);
    expect(await fakeAccrued(1)).toBe(0n);
    expect(await fakeAccrued(3)).toBe(2n * max);
  });

  it('behavior: a zero commitment still counts as settled', async () => {
    await settleBatch(fakeSettlement, args({ commitment: 0n }));
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 0)).toBe(true);
    await expect(settleBatch(fakeSettlement, args({ commitment: 0n }))).rejects.toThrow(/AlreadySettled\(epoch=7, batch=0\)/);
  });

  it('behavior: the same batch settles again in another epoch, and batches 255 and 256 are tracked apart', async () => {
    await settleBatch(fakeSettlement, args());
    await settleBatch(fakeSettlement, args({ header: header(EPOCH + 1) }));
    expect(await fakeAccrued(1)).toBe(6n);
    await settleBatch(fakeSettlement, args({ header: header(EPOCH, 255), lanes: [0n] }));
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 256)).toBe(false);
    await settleBatch(fakeSettlement, args({ header: header(EPOCH, 256), lanes: [0n] }));
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 255)).toBe(true);
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 256)).toBe(true);
  });

  it('error: a verifier answering false reverts InvalidProof and accrues nothing', async () => {
    await (await fake.getFunction('setAnswer')(false)).wait();
    await expect(settleBatch(fakeSettlement, args())).rejects.toMatchObject({ code: 'CONTRACT_REVERTED', message: INVALID_PROOF });
    expect(await fakeAccrued(1)).toBe(0n);
    expect(await fakeSettlement.getFunction('isSettled')(EPOCH, 0)).toBe(false);
  });

  it('error: a verifier built for another batch size reverts VerifierCallFailed', async () => {
    const other = await deployPinbench({
      signer: wallets[0]!,
      compiled: fx.compiled,
      params: { ...PARAMS, batchSize: 8 },
      operator: wallets[0]!.address,
      verifierAddress: fx.deployment.addresses.verifier,
    });
    expect(other.deployGas.verifier).toBe(0n);
    expect(await other.settlement.getFunction('laneCount')()).toBe(2n);
    const address = fx.deployment.addresses.verifier;
    await expect(settleBatch(other.settlement, args({ lanes: [0n, 0n] }))).rejects.toMatchObject({
      message: `settlement reverted with VerifierCallFailed(verifier=${address}): the verifier at ${address} did not answer verifyProof for this batch size; deploy the verifier built for this batchSize (2 + ceil(batchSize/6) public signals)`,
    });
  });

  it('error: a constructor with a batch size that is not a multiple of 4 reverts InvalidConfig', async () => {
    const factory = new ContractFactory(fx.compiled.settlement.abi, fx.compiled.settlement.bytecode, wallets[0]!);
    const { addresses } = fx.deployment;
    const error = await factory
      .deploy(addresses.verifier, addresses.registry, addresses.token, wallets[0]!.address, settlementConfig({ ...PARAMS, batchSize: 6 }))
      .then(() => undefined, (e: unknown) => e);
    expect(decodeContractError(error, { settlement: new Interface(fx.compiled.settlement.abi) }).message).toBe(
      'settlement reverted with InvalidConfig(reason=batchSize must be a multiple of 4 in 4..1024): invalid deploy parameter: batchSize must be a multiple of 4 in 4..1024; fix the deploy parameters',
    );
  });

  it('error: a revert inside the token is decoded when the token is passed to decodeWith', async () => {
    // A second Settlement on the same registry and token that was never made the token's minter
    // (the token takes one minter only): settling accrues, but claiming mints and reverts inside RewardToken.
    const factory = new ContractFactory(fx.compiled.settlement.abi, fx.compiled.settlement.bytecode, wallets[0]!);
    const { addresses } = fx.deployment;
    const peer = (await (await factory.deploy(
      addresses.verifier, addresses.registry, addresses.token, wallets[0]!.address, settlementConfig(PARAMS),
    )).waitForDeployment()) as unknown as Contract;
    await settleBatch(peer, args());
    await expect(claimRewards(as(peer, 1), [1], { decodeWith: { token: fx.deployment.token } })).rejects.toMatchObject({
      message: 'token reverted with NotMinter(): only the minter (the settlement contract) may mint; rewards are minted through Settlement.claim',
    });
  });
});
