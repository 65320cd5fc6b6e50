import type { Contract } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimRewards, deployPinbench, openEpoch, registerDevices, settleBatch, type PinbenchDeployment, type SettleArgs } from '../../contracts/index.ts';
import {
  chainPolicyOf, defaultPolicy, GWEI, scheduledEmissionWei, type RewardPolicy,
} from '../../core/reward-policy/index.ts';
import { encodeHeader, packLanes, type CircuitPolicy } from '../../core/reward-rule.ts';
import { PARAMS, ZERO_PROOF, fakePubKey, idHash, rollBackEachTest, startChainFixture, type ChainFixture } from './chain-fixture.ts';

/**
 * Settlement.sol under a pro-rata policy (core/reward-policy/chain-policy.ts), with the fake
 * verifier: what openEpoch declares, how each settle shares E_e, and what the schedule gives.
 * The real-proof path of the same contract is test/integration/reward-policy.test.ts.
 */
const TOKENS = 10n ** 18n;
const work = { unitsPerSample: BigInt(PARAMS.unitsPerSample), maxStepE7: BigInt(PARAMS.maxStepE7), rewardPerUnitWei: BigInt(PARAMS.rewardPerUnitWei) };
const base = defaultPolicy(work);
const constant: RewardPolicy = { ...base, emission: { kind: 'constant', perEpochWei: 1000n * TOKENS } };
const EPOCH = 7;

let fx: ChainFixture;

async function deploy(policy: RewardPolicy, maxSupplyWei?: bigint): Promise<PinbenchDeployment> {
  const chainPolicy = chainPolicyOf(policy);
  const deployment = await deployPinbench({
    signer: fx.wallets[0]!, compiled: fx.compiled, operator: fx.wallets[0]!.address,
    params: { ...PARAMS, maxSupplyWei: maxSupplyWei ?? policy.maxSupplyWei, policy: chainPolicy },
  });
  await registerDevices(deployment.registry, [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ idHash: idHash(`d-${i}`), pubKey: fakePubKey(i), owner: fx.wallets[1 + (i % 2)]!.address })));
  return deployment;
}

const settleArgs = (batch: number, units: bigint[], circuit: CircuitPolicy = chainPolicyOf(constant).circuit, epoch = EPOCH): SettleArgs => ({
  proof: ZERO_PROOF, header: encodeHeader(epoch, batch, work, circuit), commitment: 1n, lanes: packLanes(units),
});
const accrued = async (s: Contract, index: number) => (await s.getFunction('accruedUnits')(index)) as bigint;
const eventNames = (s: Contract, logs: readonly { topics: readonly string[]; data: string }[]) => logs.map((l) => s.interface.parseLog(l)?.name);

beforeAll(async () => {
  fx = await startChainFixture();
}, 300_000);
rollBackEachTest(() => fx);

describe('Settlement, pro rata', () => {
  it('behavior: openEpoch fixes T_e and E_e; each settle accrues floor(u·E/T) gwei; the last batch finalizes with the dust', async () => {
    const { settlement } = await deploy(constant);
    expect(await settlement.getFunction('accrualWei')()).toBe(GWEI);
    const opened = await openEpoch(settlement, { epoch: EPOCH, totalUnits: 21n, batches: 2 });
    const openedLog = settlement.interface.parseLog(opened.receipt.logs[0]!)!;
    expect([openedLog.name, ...openedLog.args]).toEqual(['EpochOpened', 7n, 21n, 2n, 1000n * TOKENS]);
    const first = await settleBatch(settlement, settleArgs(0, [3n, 5n, 0n, 7n]));
    expect(eventNames(settlement, first.receipt.logs)).toEqual(['BatchSettled']);
    const eGwei = 1000n * TOKENS / GWEI;
    expect(await Promise.all([1, 2, 3, 4].map((i) => accrued(settlement, i)))).toEqual([3n * eGwei / 21n, 5n * eGwei / 21n, 0n, 7n * eGwei / 21n]);
    const last = await settleBatch(settlement, settleArgs(1, [6n, 0n, 0n, 0n]));
    const paid = [3n, 5n, 7n, 6n].reduce((a, u) => a + (u * eGwei) / 21n, 0n) * GWEI;
    const finalized = last.receipt.logs.map((l) => settlement.interface.parseLog(l)).find((p) => p?.name === 'EpochFinalized')!;
    expect([...finalized.args]).toEqual([7n, paid, 1000n * TOKENS - paid]);
    expect(1000n * TOKENS - paid).toBeGreaterThan(0n);
    const book = await settlement.getFunction('epochBook')(EPOCH);
    expect([book.totalUnits, book.settledUnits, book.batches, book.settledBatches, book.paidGwei]).toEqual([21n, 21n, 2n, 2n, paid / GWEI]);
    // Device 5 (wallet 2's) claims: its gwei × 1e9 is minted.
    const claimed = await claimRewards(settlement.connect(fx.wallets[2]!) as Contract, [5]);
    expect(claimed.amountWei).toBe(((6n * eGwei) / 21n) * GWEI);
  });

  it('error: a settle before openEpoch reverts EpochNotOpened; a second openEpoch EpochAlreadyOpened; a stranger NotOperator', async () => {
    const { settlement } = await deploy(constant);
    await expect(settleBatch(settlement, settleArgs(0, [1n, 0n, 0n, 0n]))).rejects.toThrow(
      'settlement reverted with EpochNotOpened(epoch=7): epoch 7 was not opened: a pro-rata policy needs openEpoch(epoch, totalUnits, batches) before its first settle',
    );
    await openEpoch(settlement, { epoch: EPOCH, totalUnits: 1n, batches: 1 });
    await expect(openEpoch(settlement, { epoch: EPOCH, totalUnits: 2n, batches: 1 })).rejects.toThrow(
      'settlement reverted with EpochAlreadyOpened(epoch=7): epoch 7 is already open with its declared total; an epoch is opened once (read epochBook to see what was declared)',
    );
    await expect(openEpoch(settlement.connect(fx.wallets[3]!) as Contract, { epoch: 8, totalUnits: 2n, batches: 1 })).rejects.toThrow(/NotOperator\(\)/);
  });

  it('error: settled units above the declared total revert UnitsAboveDeclared, more batches than declared BatchesAboveDeclared', async () => {
    const { settlement } = await deploy(constant);
    await openEpoch(settlement, { epoch: EPOCH, totalUnits: 10n, batches: 1 });
    await expect(settleBatch(settlement, settleArgs(0, [6n, 5n, 0n, 0n]))).rejects.toThrow(
      "settlement reverted with UnitsAboveDeclared(epoch=7, settledUnits=11, totalUnits=10): epoch 7's settled units would reach 11, above the 10 declared at openEpoch; the declared total must be the epoch's whole sum of units",
    );
    await settleBatch(settlement, settleArgs(0, [6n, 0n, 0n, 0n]));
    await expect(settleBatch(settlement, settleArgs(1, [4n, 0n, 0n, 0n]))).rejects.toThrow(
      'settlement reverted with BatchesAboveDeclared(epoch=7, batches=2): epoch 7 would have 2 settled batches, more than declared at openEpoch',
    );
  });

  it('error: a rate contract has no epochs to open (NotProRata); a header without the deployed cap reverts WrongPolicy', async () => {
    await expect(openEpoch(fx.deployment.settlement, { epoch: EPOCH, totalUnits: 1n, batches: 1 })).rejects.toThrow(
      'settlement reverted with NotProRata(): the contract pays a rate per unit and has no epochs to open; only a pro-rata policy (constant, halving, decay) opens epochs',
    );
    const capped = { ...constant, capUnits: 50n, minSamples: 2, flagPenalty: 'epoch' as const };
    const { settlement } = await deploy(capped);
    await openEpoch(settlement, { epoch: EPOCH, totalUnits: 1n, batches: 1 });
    await expect(settleBatch(settlement, settleArgs(0, [1n, 0n, 0n, 0n]))).rejects.toThrow(/WrongPolicy\(capUnits=0, minSamples=0, epochPenalty=0\)/);
    await settleBatch(settlement, settleArgs(0, [1n, 0n, 0n, 0n], chainPolicyOf(capped).circuit));
  });

  it('behavior: halving and decay schedules on chain equal core/reward-policy/emission.ts to the gwei', async () => {
    const halving: RewardPolicy = { ...base, emission: { kind: 'halving', initialWei: 1234567n * GWEI * 10n ** 6n, everyEpochs: 3 } };
    const decay: RewardPolicy = { ...base, emission: { kind: 'decay', initialWei: 1000n * TOKENS, yearlyDecay: 0.2, epochsPerYear: 365 } };
    for (const policy of [halving, decay]) {
      const { settlement } = await deploy(policy);
      for (const e of [0, 1, 2, 3, 4, 7, 30, 100, 364, 365, 1000, 5000]) {
        expect(await settlement.getFunction('emissionGweiOf')(e), `${policy.emission.kind} epoch ${e}`).toBe(scheduledEmissionWei(policy.emission, e)! / GWEI);
      }
    }
  });

  it("error: a claim past the token's maxSupply reverts SupplyExceeded and mints nothing", async () => {
    const { settlement, token } = await deploy(constant, 10n * TOKENS);
    await openEpoch(settlement, { epoch: EPOCH, totalUnits: 1n, batches: 1 });
    await settleBatch(settlement, settleArgs(0, [0n, 1n, 0n, 0n]));
    await expect(claimRewards(settlement.connect(fx.wallets[1]!) as Contract, [2], { decodeWith: { token } })).rejects.toThrow(
      `token reverted with SupplyExceeded(totalSupply=0, amount=${1000n * TOKENS}, maxSupply=${10n * TOKENS}): minting ${1000n * TOKENS} wei would take the token's supply from 0 past its cap of ${10n * TOKENS} wei (the policy's maxSupplyWei); lower the emission or raise maxSupplyWei`,
    );
    expect(await token.getFunction('totalSupply')()).toBe(0n);
  });
});
