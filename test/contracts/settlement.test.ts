import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContractFactory, type Contract } from 'ethers';
import { deployPinbench, encodeSlot, registerDevices, settleBatch, SCALAR_FIELD, type SettleArgs } from '../../contracts/deploy.ts';
import { PARAMS, ZERO_PROOF, fakePubKey, idHash, snapshot, startChainFixture, type ChainFixture } from './chain-fixture.ts';

let fx: ChainFixture;
let settlement: Contract;
let token: Contract;
let fake: Contract;
let rollback: () => Promise<void>;

const EPOCH = 7n;
const COMMITMENT = 123456789n;
const rate = BigInt(PARAMS.rewardPerUnitWei);

const args = (overrides: Partial<SettleArgs> = {}): SettleArgs => ({
  epoch: EPOCH,
  batch: 0n,
  commitment: COMMITMENT,
  ...ZERO_PROOF,
  slots: [encodeSlot(1, 3), encodeSlot(2, 5), encodeSlot(4, 0), 0n],
  ...overrides,
});

beforeAll(async () => {
  fx = await startChainFixture();
  ({ settlement, token } = fx.deployment);
  fake = fx.deployment.verifier;
  // Devices 1..5; device i is owned by wallet 1 + (i - 1) % 3 (so wallet 1 owns devices 1 and 4).
  const devices = [1, 2, 3, 4, 5].map((i) => ({
    idHash: idHash(`device-${i}`),
    pubKey: fakePubKey(i),
    owner: fx.wallets[1 + ((i - 1) % 3)].address,
  }));
  await registerDevices(fx.deployment.registry, devices, { chunkSize: 2 });
});

afterAll(async () => {
  await fx?.anvil.stop();
});

beforeEach(async () => {
  rollback = await snapshot(fx.provider);
});

afterEach(async () => {
  await rollback();
});

const balance = async (walletIndex: number): Promise<bigint> =>
  (await token.getFunction('balanceOf')(fx.wallets[walletIndex].address)) as bigint;

describe('settle', () => {
  it('behavior: register + settle mints units × rewardPerUnitWei to each owner and records the batch', async () => {
    const result = await settleBatch(settlement, args());
    expect(result.totalUnits).toBe(8n);
    expect(result.gasUsed).toBeGreaterThan(0n);
    expect(await balance(1)).toBe(3n * rate);
    expect(await balance(2)).toBe(5n * rate);
    expect(await balance(3)).toBe(0n);
    expect(await token.getFunction('totalSupply')()).toBe(8n * rate);
    expect(await settlement.getFunction('batchCommitment')(EPOCH, 0n)).toEqual([true, COMMITMENT]);
    expect(await settlement.getFunction('batchCommitment')(EPOCH, 1n)).toEqual([false, 0n]);
    expect(await settlement.getFunction('isPaid')(EPOCH, 4n)).toBe(true);
    expect(await settlement.getFunction('isPaid')(EPOCH, 3n)).toBe(false);
  });

  it('behavior: one owner of several devices is paid for each of them', async () => {
    await settleBatch(settlement, args({ slots: [encodeSlot(1, 2), encodeSlot(4, 7), 0n, 0n] }));
    expect(await balance(1)).toBe(9n * rate);
  });

  it('behavior: a zero commitment still counts as settled', async () => {
    await settleBatch(settlement, args({ commitment: 0n }));
    expect(await settlement.getFunction('batchCommitment')(EPOCH, 0n)).toEqual([true, 0n]);
    await expect(settleBatch(settlement, args({ commitment: 0n }))).rejects.toThrow(/AlreadySettled/);
  });

  it('behavior: public signals reach the verifier as [epoch, batch, commitment, unitsPerSample, maxStepE7, slots...]', async () => {
    const a = args({ batch: 2n });
    await (await fake.getFunction('expectSignals')([EPOCH, 2n, COMMITMENT, 10n, 5000n, ...a.slots])).wait();
    await expect(settleBatch(settlement, a)).resolves.toMatchObject({ totalUnits: 8n });
  });

  it('behavior: the same device is paid again in another epoch', async () => {
    await settleBatch(settlement, args());
    await settleBatch(settlement, args({ epoch: EPOCH + 1n }));
    expect(await balance(1)).toBe(6n * rate);
  });

  it('error: the same (epoch, batch) twice reverts AlreadySettled', async () => {
    await settleBatch(settlement, args());
    await expect(settleBatch(settlement, args({ slots: [encodeSlot(3, 1), 0n, 0n, 0n] }))).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: 'settlement reverted with AlreadySettled(epoch=7, batch=0): epoch 7 batch 0 is already settled; do not submit it again',
      details: { contract: 'settlement', error: 'AlreadySettled', args: { epoch: 7, batch: 0 } },
    });
  });

  it('error: a sender other than the operator reverts NotOperator', async () => {
    const asStranger = settlement.connect(fx.wallets[5]) as Contract;
    await expect(settleBatch(asStranger, args())).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: "settlement reverted with NotOperator(): the sender is not the contract's operator; send from the operator account given at deploy",
    });
  });

  it('error: a verifier answering false reverts InvalidProof and pays nothing', async () => {
    await (await fake.getFunction('setAnswer')(false)).wait();
    await expect(settleBatch(settlement, args())).rejects.toMatchObject({
      message:
        'settlement reverted with InvalidProof(): the verifier rejected the proof; check that the proof, the public signals and the verifier come from the same circuit build',
    });
    expect(await balance(1)).toBe(0n);
  });

  it('error: signals in another order than the verifier expects revert InvalidProof', async () => {
    const a = args();
    await (await fake.getFunction('expectSignals')([0n, EPOCH, COMMITMENT, 10n, 5000n, ...a.slots])).wait();
    await expect(settleBatch(settlement, a)).rejects.toThrow(/InvalidProof\(\)/);
  });

  it('error: a wrong number of slots reverts WrongBatchSize', async () => {
    await expect(settleBatch(settlement, args({ slots: [encodeSlot(1, 1), 0n, 0n] }))).rejects.toMatchObject({
      message:
        'settlement reverted with WrongBatchSize(expected=4, got=3): the batch has 3 slots but the contract expects 4; pad the batch with empty slots (0) to 4',
    });
  });

  it('error: the same device in two batches of one epoch reverts DevicePaidTwice', async () => {
    await settleBatch(settlement, args());
    await expect(settleBatch(settlement, args({ batch: 1n, slots: [encodeSlot(3, 1), encodeSlot(2, 4), 0n, 0n] }))).rejects.toMatchObject({
      message:
        'settlement reverted with DevicePaidTwice(index=2, epoch=7): device 2 was already paid for epoch 7; put each device in only one batch per epoch',
    });
    expect(await balance(3)).toBe(0n);
  });

  it('error: the same device twice in one batch reverts DevicePaidTwice', async () => {
    await expect(settleBatch(settlement, args({ slots: [encodeSlot(5, 1), 0n, encodeSlot(5, 1), 0n] }))).rejects.toThrow(
      'settlement reverted with DevicePaidTwice(index=5, epoch=7)',
    );
  });

  it('error: an unregistered device index reverts UnknownDevice', async () => {
    await expect(settleBatch(settlement, args({ slots: [encodeSlot(1, 1), encodeSlot(99, 1), 0n, 0n] }))).rejects.toMatchObject({
      message:
        'settlement reverted with UnknownDevice(index=99): device index 99 is not registered; register the device before settling its rewards',
    });
  });

  it('error: a slot at or above the BN254 scalar field reverts SignalOutOfField even if the verifier says yes', async () => {
    await expect(settleBatch(settlement, args({ slots: [encodeSlot(1, 1), SCALAR_FIELD, 0n, 0n] }))).rejects.toMatchObject({
      message: `settlement reverted with SignalOutOfField(position=6, value=${SCALAR_FIELD}): public signal 6 (${SCALAR_FIELD}) is not below the BN254 scalar field; the input was altered or encoded wrongly`,
    });
    await expect(settleBatch(settlement, args({ commitment: SCALAR_FIELD + 5n }))).rejects.toThrow(/SignalOutOfField\(position=2, /);
    await expect(settleBatch(settlement, args({ epoch: (1n << 256n) - 1n }))).rejects.toThrow(/SignalOutOfField\(position=0, /);
  });

  it('error: a verifier built for another batch size reverts VerifierCallFailed', async () => {
    const other = await deployPinbench({
      signer: fx.wallets[0],
      compiled: fx.compiled,
      params: { ...PARAMS, batchSize: 5 },
      operator: fx.wallets[0].address,
      verifierAddress: fx.deployment.addresses.verifier,
    });
    expect(other.deployGas.verifier).toBe(0n);
    const address = fx.deployment.addresses.verifier;
    await expect(settleBatch(other.settlement, args({ slots: [0n, 0n, 0n, 0n, 0n] }))).rejects.toMatchObject({
      message: `settlement reverted with VerifierCallFailed(verifier=${address}): the verifier at ${address} did not answer verifyProof for this batch size; deploy the verifier built for this batchSize (5 + batchSize public signals)`,
    });
  });

  it('error: a revert inside the token is decoded when the token is passed to decodeWith', async () => {
    // A second Settlement on the same registry and token that was never made the token's minter
    // (the token takes one minter only): its mint call reverts inside RewardToken.
    const factory = new ContractFactory(fx.compiled.settlement.abi, fx.compiled.settlement.bytecode, fx.wallets[0]);
    const { addresses } = fx.deployment;
    const peer = await factory.deploy(
      addresses.verifier, addresses.registry, addresses.token, fx.wallets[0].address,
      PARAMS.batchSize, PARAMS.unitsPerSample, PARAMS.maxStepE7, PARAMS.rewardPerUnitWei,
    );
    await peer.waitForDeployment();
    await expect(settleBatch(peer as Contract, args(), { decodeWith: { token } })).rejects.toMatchObject({
      message:
        'token reverted with NotMinter(): only the minter (the settlement contract) may mint; rewards are minted through Settlement.settle',
    });
  });
});
