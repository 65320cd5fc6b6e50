import { beforeAll, describe, expect, it } from 'vitest';
import { ContractFactory, keccak256, ZeroAddress, type Contract, type Log } from 'ethers';
import { decodeContractError } from '../../contracts/errors.ts';
import { deployPinbench, registerDevices, SCALAR_FIELD } from '../../contracts/deploy.ts';
import { PARAMS, fakePubKey, idHash, rollBackEachTest, startChainFixture, type ChainFixture } from './chain-fixture.ts';

let fx: ChainFixture;
let registry: Contract;

beforeAll(async () => {
  fx = await startChainFixture();
  registry = fx.deployment.registry;
});
rollBackEachTest(() => fx);

const device = (i: number, owner = 1) => ({ idHash: idHash(`dev-${i}`), pubKey: fakePubKey(i), owner: fx.wallets[owner].address });

/** Calls a contract function directly (bypassing client-side checks) and decodes the revert. */
async function revertOf(call: Promise<unknown>, contracts: Record<string, Contract>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return decodeContractError(error, contracts).message;
  }
  throw new Error('expected a revert');
}

describe('deploy', () => {
  it('behavior: deploys four contracts and reports gas from receipts', () => {
    const { deployGas, addresses } = fx.deployment;
    for (const key of ['verifier', 'registry', 'token', 'settlement', 'setMinter'] as const) {
      expect(deployGas[key]).toBeGreaterThan(21_000n);
    }
    expect(deployGas.approveStakes).toBe(0n);
    expect(deployGas.total).toBe(deployGas.verifier + deployGas.registry + deployGas.token + deployGas.settlement + deployGas.setMinter);
    expect(new Set(Object.values(addresses)).size).toBe(4);
  });

  it('behavior: the settlement is wired to registry, token and operator', async () => {
    const { settlement, token, addresses } = fx.deployment;
    expect(await settlement.getFunction('registry')()).toBe(addresses.registry);
    expect(await settlement.getFunction('token')()).toBe(addresses.token);
    expect(await settlement.getFunction('verifier')()).toBe(addresses.verifier);
    expect(await settlement.getFunction('operator')()).toBe(fx.wallets[0].address);
    expect(await settlement.getFunction('batchSize')()).toBe(4n);
    expect(await settlement.getFunction('laneCount')()).toBe(1n);
    expect(await settlement.getFunction('unitsPerSample')()).toBe(BigInt(PARAMS.unitsPerSample));
    expect(await settlement.getFunction('maxStepE7')()).toBe(BigInt(PARAMS.maxStepE7));
    expect(await settlement.getFunction('rewardPerUnitWei')()).toBe(BigInt(PARAMS.rewardPerUnitWei));
    expect(await token.getFunction('minter')()).toBe(addresses.settlement);
  });
});

describe('deploy arguments', () => {
  it('error: deploy parameters are checked before anything is sent', async () => {
    const base = { signer: fx.wallets[0], compiled: fx.compiled, params: PARAMS, operator: fx.wallets[0].address };
    await expect(deployPinbench({ ...base, params: { ...PARAMS, batchSize: 0 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'option params.batchSize: expected a multiple of 4 in 4..1024, got 0',
    });
    await expect(deployPinbench({ ...base, params: { ...PARAMS, batchSize: 6 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'option params.batchSize: expected a multiple of 4 in 4..1024, got 6',
    });
    await expect(deployPinbench({ ...base, params: { ...PARAMS, maxStepE7: SCALAR_FIELD } })).rejects.toMatchObject({
      message: `option params.maxStepE7: expected a non-negative integer below the BN254 scalar field, got ${SCALAR_FIELD}`,
    });
    await expect(deployPinbench({ ...base, operator: '0x1234' })).rejects.toMatchObject({
      message: 'option operator: expected a non-zero 0x address, got "0x1234"',
    });
    const { verifier: _unused, ...withoutVerifier } = fx.compiled;
    await expect(deployPinbench({ ...base, compiled: withoutVerifier })).rejects.toMatchObject({
      code: 'VERIFIER_MISSING',
      message: 'no verifier to deploy: compile with verifierSolPath (from the circuit build) or pass verifierAddress',
    });
    await expect(deployPinbench({ ...base, verifierAddress: fx.wallets[3].address })).rejects.toMatchObject({
      code: 'VERIFIER_NOT_DEPLOYED',
      message: `no contract at verifierAddress ${fx.wallets[3].address}: deploy the verifier first or omit verifierAddress`,
    });
  });

});

describe('registry', () => {
  it('behavior: registerDevices assigns sequential indices from 1 and stores owner, key hash and id', async () => {
    const devices = [1, 2, 3, 4, 5].map((i) => device(i, 1 + (i % 2)));
    const result = await registerDevices(registry, devices, { chunkSize: 2 });
    expect(result.indices).toEqual([1, 2, 3, 4, 5]);
    expect(result.chunks.map((c) => c.size)).toEqual([2, 2, 1]);
    expect(result.gasUsed).toBe(result.chunks.reduce((s, c) => s + c.gasUsed, 0n));
    expect(await registry.getFunction('deviceCount')()).toBe(5n);
    expect(await registry.getFunction('ownerOf')(3n)).toBe(fx.wallets[2].address);
    expect(await registry.getFunction('keyHashOf')(3n)).toBe(keccak256(fakePubKey(3)));
    expect(await registry.getFunction('indexOf')(idHash('dev-4'))).toBe(4n);
    expect(await registry.getFunction('indexOf')(idHash('nope'))).toBe(0n);
    expect(await registry.getFunction('ownerOf')(0n)).toBe('0x0000000000000000000000000000000000000000');
  });

  it('behavior: the DeviceRegistered event carries the full public key', async () => {
    await registerDevices(registry, [device(9)]);
    const [event] = await registry.queryFilter(registry.filters.DeviceRegistered!(1n));
    expect((event as unknown as { args: { pubKey: string; idHash: string } }).args.pubKey).toBe(fakePubKey(9));
    expect((event as unknown as { args: { idHash: string } }).args.idHash).toBe(idHash('dev-9'));
  });

  it('error: a device registered twice is rejected on chain with DuplicateDevice', async () => {
    await registerDevices(registry, [device(1)]);
    const id = idHash('dev-1');
    await expect(registerDevices(registry, [device(2), device(1)])).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: `registry reverted with DuplicateDevice(idHash=${id}, index=1): device ${id} is already registered at index 1; register each device once`,
    });
    expect(await registry.getFunction('deviceCount')()).toBe(1n);
  });

  it('error: a duplicate inside one call is rejected before sending', async () => {
    await expect(registerDevices(registry, [device(1), device(2), device(1)])).rejects.toMatchObject({
      code: 'DUPLICATE_DEVICE',
      message: `devices[2] repeats the idHash of devices[0] (${idHash('dev-1')}): register each device once`,
    });
    const direct = registry.getFunction('registerMany')([idHash('a'), idHash('a')], [fakePubKey(1), fakePubKey(2)], [fx.wallets[1].address, fx.wallets[1].address]);
    expect(await revertOf(direct, { registry })).toBe(
      `registry reverted with DuplicateDevice(idHash=${idHash('a')}, index=1): device ${idHash('a')} is already registered at index 1; register each device once`,
    );
  });

  it('error: mismatched array lengths revert LengthMismatch', async () => {
    const call = registry.getFunction('registerMany')([idHash('a'), idHash('b')], [fakePubKey(1)], [fx.wallets[1].address, fx.wallets[1].address]);
    expect(await revertOf(call, { registry })).toBe(
      'registry reverted with LengthMismatch(idHashes=2, pubKeys=1, owners=2): registerMany got 2 ids, 1 keys and 2 owners; pass arrays of equal length',
    );
  });

  it('error: a compressed public key is rejected (client side and on chain)', async () => {
    const compressed = `0x02${'11'.repeat(32)}`;
    await expect(registerDevices(registry, [{ ...device(1), pubKey: compressed }])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'devices[0].pubKey: expected a 65-byte uncompressed key starting with 0x04, got 33 bytes starting with 0x02',
    });
    const call = registry.getFunction('registerMany')([idHash('a')], [compressed], [fx.wallets[1].address]);
    expect(await revertOf(call, { registry })).toBe(
      `registry reverted with InvalidPublicKey(idHash=${idHash('a')}, length=33): device ${idHash('a')} has a 33-byte public key; pass the 65-byte uncompressed key (0x04 ‖ x ‖ y)`,
    );
  });

  it('error: only the operator registers', async () => {
    const asStranger = registry.connect(fx.wallets[5]) as Contract;
    await expect(registerDevices(asStranger, [device(1)])).rejects.toMatchObject({
      message: "registry reverted with NotOperator(): the sender is not the contract's operator; send from the operator account given at deploy",
    });
  });
});

describe('token', () => {
  it('behavior: has the pinbench name, symbol and 18 decimals', async () => {
    const { token } = fx.deployment;
    expect(await token.getFunction('name')()).toBe('pinbench reward');
    expect(await token.getFunction('symbol')()).toBe('PINR');
    expect(await token.getFunction('decimals')()).toBe(18n);
  });

  it('error: only the minter mints', async () => {
    const { token } = fx.deployment;
    expect(await revertOf(token.getFunction('mint')(fx.wallets[0].address, 1n), { token })).toBe(
      'token reverted with NotMinter(): only the minter (the settlement contract) may mint; rewards are minted through Settlement.claim',
    );
  });

  it('error: the minter is set once, by the deployer only', async () => {
    const { token, addresses } = fx.deployment;
    expect(await revertOf(token.getFunction('setMinter')(fx.wallets[0].address), { token })).toBe(
      `token reverted with MinterAlreadySet(minter=${addresses.settlement}): the minter is already set to ${addresses.settlement}; it can be set once only, deploy a new token to change it`,
    );
    const asStranger = token.connect(fx.wallets[5]) as Contract;
    expect(await revertOf(asStranger.getFunction('setMinter')(fx.wallets[5].address), { token })).toBe(
      "token reverted with NotDeployer(): only the token's deployer may set the minter; send from the deploying account",
    );
  });

  it('behavior: transfer, approve and transferFrom move balances and emit events', async () => {
    const [deployer, minter, alice, bob] = fx.wallets;
    const factory = new ContractFactory(fx.compiled.token.abi, fx.compiled.token.bytecode, deployer);
    const fresh = (await (await factory.deploy(10n ** 27n, ZeroAddress, 0n)).waitForDeployment()) as unknown as Contract;
    await (await fresh.getFunction('setMinter')(minter.address)).wait();
    const asMinter = fresh.connect(minter) as Contract;
    await (await asMinter.getFunction('mint')(alice.address, 100n)).wait();

    const asAlice = fresh.connect(alice) as Contract;
    const transfer = await (await asAlice.getFunction('transfer')(bob.address, 30n)).wait();
    expect(transfer?.logs.map((l: Log) => fresh.interface.parseLog(l)?.name)).toEqual(['Transfer']);
    await (await asAlice.getFunction('approve')(bob.address, 50n)).wait();
    const asBob = fresh.connect(bob) as Contract;
    await (await asBob.getFunction('transferFrom')(alice.address, bob.address, 20n)).wait();

    expect(await fresh.getFunction('balanceOf')(alice.address)).toBe(50n);
    expect(await fresh.getFunction('balanceOf')(bob.address)).toBe(50n);
    expect(await fresh.getFunction('allowance')(alice.address, bob.address)).toBe(30n);
    expect(await fresh.getFunction('totalSupply')()).toBe(100n);

    expect(await revertOf(asBob.getFunction('transferFrom')(alice.address, bob.address, 31n), { token: fresh })).toBe(
      `token reverted with InsufficientAllowance(spender=${bob.address}, allowance=30, needed=31): ${bob.address} may spend 30 but 31 is needed; approve more first`,
    );
    expect(await revertOf(asAlice.getFunction('transfer')(bob.address, 51n), { token: fresh })).toBe(
      `token reverted with InsufficientBalance(from=${alice.address}, balance=50, needed=51): ${alice.address} holds 50 but 51 is needed; transfer less`,
    );
  });
});
