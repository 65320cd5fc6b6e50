import type { Contract } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { depositStake, deployPinbench, registerDevices, settleBatch, type PinbenchDeployment, type SettleArgs } from '../../contracts/index.ts';
import { chainPolicyOf, defaultPolicy, epochRewards, type DeviceEpochFacts, type RewardPolicy } from '../../core/reward-policy/index.ts';
import { encodeHeader, packLanes } from '../../core/reward-rule.ts';
import { PARAMS, ZERO_PROOF, fakePubKey, idHash, rollBackEachTest, startChainFixture, type ChainFixture } from './chain-fixture.ts';

/**
 * Settlement.sol's stakes (core/reward-policy/rewards.ts: a flagged device-epoch slashes
 * floor(left · slashBps / 10000)), with the fake verifier: the flag bits of the lanes decide.
 * The real-proof path is test/integration/reward-policy.test.ts.
 */
const TOKENS = 10n ** 18n;
const work = { unitsPerSample: BigInt(PARAMS.unitsPerSample), maxStepE7: BigInt(PARAMS.maxStepE7), rewardPerUnitWei: BigInt(PARAMS.rewardPerUnitWei) };
const STAKE = 1_000n * TOKENS + 7n;
const staked: RewardPolicy = { ...defaultPolicy(work), stake: { perDeviceWei: STAKE, slashBps: 2_500 } };

let fx: ChainFixture;

async function deploy(policy: RewardPolicy, genesisStakeWei = 8n * STAKE): Promise<PinbenchDeployment> {
  const deployment = await deployPinbench({
    signer: fx.wallets[0]!, compiled: fx.compiled, operator: fx.wallets[0]!.address,
    params: { ...PARAMS, maxSupplyWei: policy.maxSupplyWei, policy: chainPolicyOf(policy), genesisStakeWei },
  });
  await registerDevices(deployment.registry, [1, 2, 3, 4, 5, 6].map((i) => ({ idHash: idHash(`d-${i}`), pubKey: fakePubKey(i), owner: fx.wallets[1]!.address })));
  return deployment;
}

const args = (epoch: number, batch: number, units: bigint[], flagged: boolean[]): SettleArgs => ({
  proof: ZERO_PROOF, header: encodeHeader(epoch, batch, work, chainPolicyOf(staked).circuit), commitment: 1n, lanes: packLanes(units, flagged),
});
const stakeOf = async (s: Contract, index: number) => (await s.getFunction('stakeOf')(index)) as bigint;
const facts = (deviceIndex: number, flaggedReadings: number): DeviceEpochFacts => ({ deviceIndex, countedSamples: 2, stepUnits: 10n, flaggedReadings, cells: [] });

beforeAll(async () => {
  fx = await startChainFixture();
}, 300_000);
rollBackEachTest(() => fx);

describe('Settlement, stakes', () => {
  it('behavior: depositStake bonds devices in registry order from the caller\'s genesis tokens', async () => {
    const { settlement, token, addresses } = await deploy(staked);
    const operator = fx.wallets[0]!.address;
    expect(await token.getFunction('balanceOf')(operator)).toBe(8n * STAKE);
    expect(await token.getFunction('totalSupply')()).toBe(8n * STAKE);
    const first = await depositStake(settlement, 4);
    const log = first.receipt.logs.map((l) => settlement.interface.parseLog(l)).find((p) => p?.name === 'StakeDeposited')!;
    expect([...log.args]).toEqual([operator, 1n, 4n, 4n * STAKE]);
    await depositStake(settlement, 2);
    expect(await settlement.getFunction('stakedThrough')()).toBe(6n);
    expect(await Promise.all([0, 1, 6, 7].map((i) => stakeOf(settlement, i)))).toEqual([0n, STAKE, STAKE, 0n]);
    expect(await token.getFunction('balanceOf')(addresses.settlement)).toBe(6n * STAKE);
    expect(await token.getFunction('balanceOf')(operator)).toBe(2n * STAKE);
  });

  it('behavior: each settled flagged device-epoch slashes its stake left, as epochRewards does, in any epoch order', async () => {
    const { settlement } = await deploy(staked);
    await depositStake(settlement, 6);
    // Device 2 is flagged in epochs 1, 2 and 3, device 4 in epoch 2; they settle 3, 1, 2.
    const flagsOf: Record<number, boolean[]> = { 1: [false, true, false, false], 2: [false, true, false, true], 3: [false, true, false, false] };
    for (const epoch of [3, 1, 2]) {
      const settled = await settleBatch(settlement, args(epoch, 0, [5n, 0n, 3n, 1n], flagsOf[epoch]!));
      const slashes = settled.receipt.logs.map((l) => settlement.interface.parseLog(l)).filter((p) => p?.name === 'Slashed');
      expect(slashes.map((p) => Number(p!.args.index))).toEqual(flagsOf[epoch]!.flatMap((f, j) => (f ? [j + 1] : [])));
    }
    let stakeLeft = new Map<number, bigint>();
    let slashed = 0n;
    for (const epoch of [1, 2, 3]) {
      const result = epochRewards(staked, epoch, [1, 2, 3, 4].map((d) => facts(d, flagsOf[epoch]![d - 1] ? 1 : 0)), stakeLeft);
      stakeLeft = new Map(result.devices.map((d) => [d.deviceIndex, d.stakeLeftWei!]));
      slashed += result.slashedWei;
    }
    expect(await Promise.all([1, 2, 3, 4].map((i) => stakeOf(settlement, i)))).toEqual([1, 2, 3, 4].map((i) => stakeLeft.get(i)));
    expect(await stakeOf(settlement, 2)).toBeLessThan(STAKE);
    expect(await settlement.getFunction('totalSlashedWei')()).toBe(slashed);
    // Rewards are not touched by stakes: units accrue as under the rate.
    expect(await settlement.getFunction('accruedUnits')(2)).toBe(0n);
    expect(await settlement.getFunction('accruedUnits')(1)).toBe(15n);
  });

  it('behavior: a flagged device not yet bonded has nothing to slash; a contract without stakes ignores flag bits', async () => {
    const { settlement } = await deploy(staked);
    await depositStake(settlement, 1);
    const settled = await settleBatch(settlement, args(1, 0, [1n, 1n, 0n, 0n], [true, true, false, false]));
    expect(settled.receipt.logs.map((l) => settlement.interface.parseLog(l)?.name)).toEqual(['Slashed', 'BatchSettled']);
    expect(await stakeOf(settlement, 2)).toBe(0n);
    const plain = await deploy(defaultPolicy(work), 0n);
    const unstaked = await settleBatch(plain.settlement, { ...args(1, 0, [1n, 1n, 0n, 0n], [true, true, false, false]), header: encodeHeader(1, 0, work) });
    expect(unstaked.receipt.logs.map((l) => plain.settlement.interface.parseLog(l)?.name)).toEqual(['BatchSettled']);
    expect(await plain.settlement.getFunction('accruedUnits')(1)).toBe(1n);
  });

  it('error: bonding past the registered devices reverts StakeBeyondRegistered; a contract without stakes NoStakes; genesis past the cap SupplyExceeded', async () => {
    const { settlement } = await deploy(staked);
    await expect(depositStake(settlement, 7)).rejects.toThrow(
      'settlement reverted with StakeBeyondRegistered(throughIndex=7, registered=6): bonding devices through index 7 is past the 6 registered; register the devices first and bond at least one',
    );
    await expect(depositStake(settlement, 0)).rejects.toThrow(/StakeBeyondRegistered\(throughIndex=0, registered=6\)/);
    const plain = await deploy(defaultPolicy(work), 0n);
    await expect(depositStake(plain.settlement, 1)).rejects.toThrow(
      'settlement reverted with NoStakes(): the settlement was deployed without stakes (stakeWei 0); give the policy a stake to bond devices',
    );
    await expect(deploy({ ...staked, maxSupplyWei: 2n * STAKE }, 3n * STAKE)).rejects.toThrow(/SupplyExceeded/);
  });
});
