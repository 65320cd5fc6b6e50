import os from 'node:os';
import path from 'node:path';
import { Wallet, type Contract } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shutdownProver } from '../../circuits/index.ts';
import { buildBatchWitnessV2, buildCircuitV2, proveBatchV2, type BatchWitnessV2 } from '../../circuits/v2/index.ts';
import { registerDevices } from '../../contracts/deploy.ts';
import { claimRewardsV2, compileContractsV2, deployPinbenchV2, settleBatchV2, type SettleArgsV2 } from '../../contracts/v2/index.ts';
import { silentLogger } from '../../core/ports.ts';
import type { RuleParams } from '../../core/reward-rule.ts';
import { SMALL_SHAPE_V2, encodeHeader, type ReadingV2 } from '../../core/reward-rule-v2.ts';
import { connectRpc, startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';
import { fakePubKey, idHash, snapshot } from './chain-fixture.ts';

const cacheDir = process.env.PINBENCH_CACHE ?? path.join(os.homedir(), '.cache', 'pinbench');
const params: RuleParams = { unitsPerSample: 10n, maxStepE7: 5_000n, rewardPerUnitWei: 10n ** 15n };
const rate = params.rewardPerUnitWei;
const shape = SMALL_SHAPE_V2;

let anvil: AnvilNode;
let wallets: Wallet[];
let settlement: Contract;
let token: Contract;
let registry: Contract;
let rollback: () => Promise<void>;
let provider: Awaited<ReturnType<typeof connectRpc>>['provider'];
const proofs = new Map<string, { witness: BatchWitnessV2; args: SettleArgsV2 }>();

function track(n: number, start: number, step: number): ReadingV2[] {
  return Array.from({ length: n }, (_, i) => ({ latE7: 100 + i * step, lonE7: 200, timestampS: start + 60 * i }));
}

async function prove(epoch: number, batch: number, devices: Array<{ deviceIndex: number; readings: ReadingV2[] }>) {
  const witness = buildBatchWitnessV2({ epoch, batch, params, devices }, shape);
  const { proofWords } = await proveBatchV2(artifacts, witness.input);
  proofs.set(`${epoch}/${batch}`, { witness, args: { proof: proofWords, header: witness.header, commitment: witness.commitment, lanes: witness.lanes } });
}
const get = (epoch: number, batch: number) => proofs.get(`${epoch}/${batch}`)!;

let artifacts: Awaited<ReturnType<typeof buildCircuitV2>>;

beforeAll(async () => {
  artifacts = await buildCircuitV2({ cacheDir, ...shape, logger: silentLogger });
  await prove(7, 0, [
    { deviceIndex: 1, readings: track(3, 1_000, 1_000) },
    { deviceIndex: 2, readings: track(2, 1_000, 9_000) },
    { deviceIndex: 4, readings: track(1, 1_000, 0) },
  ]);
  await prove(7, 1, [{ deviceIndex: 5, readings: track(4, 1_000, 100) }]);
  await prove(8, 0, [{ deviceIndex: 1, readings: track(2, 5_000, 10) }]);
  await shutdownProver();

  anvil = await startAnvil({ logger: silentLogger });
  ({ provider } = await connectRpc(anvil.rpcUrl));
  wallets = anvil.accounts.map((key) => new Wallet(key, provider));
  const compiled = await compileContractsV2({ cacheDir, verifierSolPath: artifacts.verifierSolPath, logger: silentLogger });
  const deployment = await deployPinbenchV2({
    signer: wallets[0]!, compiled, operator: wallets[0]!.address,
    params: { batchSize: shape.batchSize, unitsPerSample: params.unitsPerSample, maxStepE7: params.maxStepE7, rewardPerUnitWei: rate },
  });
  ({ settlement, token, registry } = deployment);
  // Devices 1..6; device i is owned by wallet 1 + (i - 1) % 3 (wallet 1 owns devices 1 and 4).
  await registerDevices(registry, [1, 2, 3, 4, 5, 6].map((i) => ({
    idHash: idHash(`v2-device-${i}`), pubKey: fakePubKey(i), owner: wallets[1 + ((i - 1) % 3)]!.address,
  })));
}, 900_000);

afterAll(async () => {
  await anvil?.stop();
});
beforeEach(async () => {
  rollback = await snapshot(provider);
});
afterEach(async () => {
  await rollback();
});

const accrued = async (index: number): Promise<bigint> => (await settlement.getFunction('accruedUnits')(index)) as bigint;
const balance = async (w: number): Promise<bigint> => (await token.getFunction('balanceOf')(wallets[w]!.address)) as bigint;
const as = (w: number): Contract => settlement.connect(wallets[w]!) as Contract;

describe('SettlementV2 with real proofs (B = 4, K = 8)', () => {
  it('behavior: settle verifies and accrues each device\'s units without minting', async () => {
    const { witness, args } = get(7, 0);
    const result = await settleBatchV2(settlement, args);
    expect(witness.units).toEqual([30n + 2n * 1_000n, 20n + 5_000n, 0n, 10n]);
    expect(await accrued(1)).toBe(witness.units[0]);
    expect(await accrued(2)).toBe(witness.units[1]);
    expect(await accrued(3)).toBe(0n);
    expect(await accrued(4)).toBe(10n);
    expect(await token.getFunction('totalSupply')()).toBe(0n);
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(true);
    expect(await settlement.getFunction('isSettled')(7, 1)).toBe(false);
    expect(result.calldataBytes).toBe(4 + 32 * (8 + 2 + 2 + 1));
    console.log(JSON.stringify({ shape, settleGas: Number(result.gasUsed), perDevice: Number(result.gasUsed) / shape.batchSize, calldataBytes: result.calldataBytes }));
  });

  it('behavior: accruals add up over epochs and batches; an owner claims several devices in one call', async () => {
    await settleBatchV2(settlement, get(7, 0).args);
    await settleBatchV2(settlement, get(7, 1).args);
    await settleBatchV2(settlement, get(8, 0).args);
    const device1 = get(7, 0).witness.units[0]! + get(8, 0).witness.units[0]!;
    expect(await accrued(1)).toBe(device1);
    expect(await accrued(5)).toBe(get(7, 1).witness.units[0]);
    const claimed = await claimRewardsV2(as(1), [1, 4]);
    expect(claimed.units).toBe(device1 + 10n);
    expect(claimed.amountWei).toBe((device1 + 10n) * rate);
    expect(await balance(1)).toBe((device1 + 10n) * rate);
    expect(await accrued(1)).toBe(0n);
    expect(await accrued(4)).toBe(0n);
    expect(await accrued(2)).toBe(get(7, 0).witness.units[1]);
    const again = await claimRewardsV2(as(1), [1]);
    expect(again.units).toBe(0n);
    expect(await balance(1)).toBe((device1 + 10n) * rate);
    console.log(JSON.stringify({ claimGasTwoDevices: Number(claimed.gasUsed) }));
  });

  it('error: claiming a device owned by someone else reverts NotOwner', async () => {
    await settleBatchV2(settlement, get(7, 0).args);
    const stranger = wallets[1]!.address;
    await expect(claimRewardsV2(as(1), [1, 2])).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: `settlement reverted with NotOwner(index=2, caller=${stranger}): ${stranger} does not own device 2 in the registry; claim only devices registered to the sending account`,
    });
    await expect(claimRewardsV2(as(1), [0])).rejects.toThrow(/NotOwner\(index=0, /);
    expect(await accrued(1)).toBe(get(7, 0).witness.units[0]);
  });

  it('error: a replayed settlement reverts AlreadySettled', async () => {
    await settleBatchV2(settlement, get(7, 0).args);
    await expect(settleBatchV2(settlement, get(7, 0).args)).rejects.toMatchObject({
      message: 'settlement reverted with AlreadySettled(epoch=7, batch=0): epoch 7 batch 0 is already settled; do not submit it again',
    });
  });

  it('error: a settlement by a non-operator reverts NotOperator', async () => {
    await expect(settleBatchV2(as(5), get(7, 0).args)).rejects.toThrow(
      "settlement reverted with NotOperator(): the sender is not the contract's operator; send from the operator account given at deploy",
    );
  });

  it('error: an altered proof word, header, commitment or lane reverts InvalidProof', async () => {
    const { args } = get(7, 0);
    const invalid = /^settlement reverted with InvalidProof\(\): the verifier rejected the proof/;
    for (const word of [0, 3, 7]) {
      const proof = [...args.proof];
      proof[word] = BigInt(proof[word]!) + 1n;
      await expect(settleBatchV2(settlement, { ...args, proof })).rejects.toThrow(invalid);
    }
    await expect(settleBatchV2(settlement, { ...args, header: encodeHeader(7, 2, params) })).rejects.toThrow(invalid);
    await expect(settleBatchV2(settlement, { ...args, commitment: BigInt(args.commitment) + 1n })).rejects.toThrow(invalid);
    await expect(settleBatchV2(settlement, { ...args, lanes: [BigInt(args.lanes[0]!) + 1n] })).rejects.toThrow(invalid);
    expect(await settlement.getFunction('isSettled')(7, 0)).toBe(false);
  });

  it('error: a proof for another epoch reverts InvalidProof', async () => {
    const other = get(8, 0).args;
    await expect(settleBatchV2(settlement, { ...other, header: encodeHeader(7, 0, params) })).rejects.toThrow(/InvalidProof/);
    await expect(settleBatchV2(settlement, { ...get(7, 0).args, proof: other.proof })).rejects.toThrow(/InvalidProof/);
  });

  it('error: other params in the header revert WrongParams, high header bits HeaderOutOfRange', async () => {
    const { args } = get(7, 0);
    await expect(settleBatchV2(settlement, { ...args, header: encodeHeader(7, 0, { unitsPerSample: 11n, maxStepE7: 5_000n }) })).rejects.toThrow(
      "settlement reverted with WrongParams(unitsPerSample=11, maxStepE7=5000): the header carries unitsPerSample 11 and maxStepE7 5000, not the contract's; prove with the params the contract was deployed with",
    );
    await expect(settleBatchV2(settlement, { ...args, header: BigInt(args.header) + (1n << 128n) })).rejects.toThrow(/HeaderOutOfRange/);
  });

  it('error: a wrong number of lanes reverts WrongLaneCount; a lane beyond the field SignalOutOfField', async () => {
    const { args } = get(7, 0);
    await expect(settleBatchV2(settlement, { ...args, lanes: [...args.lanes, 0n] })).rejects.toThrow(
      'settlement reverted with WrongLaneCount(expected=1, got=2): the settlement has 2 lanes but the contract expects 1; use the verifier and contract built for the same batchSize',
    );
    const field = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
    await expect(settleBatchV2(settlement, { ...args, lanes: [BigInt(args.lanes[0]!) + field] })).rejects.toThrow(/SignalOutOfField\(position=2, /);
  });
});
