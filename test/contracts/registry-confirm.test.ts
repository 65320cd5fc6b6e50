import { beforeAll, describe, expect, it } from 'vitest';
import type { Contract } from 'ethers';
import { decodeContractError } from '../../contracts/errors.ts';
import { registerDevices } from '../../contracts/deploy.ts';
import { fakePubKey, idHash, rollBackEachTest, startChainFixture, type ChainFixture } from './chain-fixture.ts';

let fx: ChainFixture;
let registry: Contract;

beforeAll(async () => {
  fx = await startChainFixture();
  registry = fx.deployment.registry;
});
rollBackEachTest(() => fx);

const signature = (i: number) => `0x${(i + 1).toString(16).padStart(2, '0').repeat(64)}`;
const device = (i: number, confirmed = true) => ({
  idHash: idHash(`confirm-${i}`),
  pubKey: fakePubKey(i),
  owner: fx.wallets[1 + (i % 4)]!.address,
  ...(confirmed ? { confirm: { timestamp: 1_767_225_600 + i, signature: signature(i) } } : {}),
});

describe('registry: confirms', () => {
  it('behavior: registerManyConfirmed stores each confirm timestamp and emits the signature; devices without one get 0', async () => {
    const result = await registerDevices(registry, [device(0), device(1, false), device(2)]);
    expect(result.indices).toEqual([1, 2, 3]);
    const at = registry.getFunction('confirmedAtOf');
    expect([await at(1), await at(2), await at(3)]).toEqual([1_767_225_600n, 0n, 1_767_225_602n]);
    const events = await registry.queryFilter(registry.filters.DeviceConfirmed!());
    expect(events.map((e) => ('args' in e ? [Number(e.args.index), Number(e.args.timestamp), e.args.signature] : []))).toEqual([
      [1, 1_767_225_600, signature(0)],
      [3, 1_767_225_602, signature(2)],
    ]);
    expect(await registry.getFunction('ownerOf')(3)).toBe(device(2).owner);
  });

  it('error: a confirm needs a 64-byte signature (client side and on chain)', async () => {
    await expect(registerDevices(registry, [{ ...device(0), confirm: { timestamp: 5, signature: '0x1234' } }])).rejects.toThrow(
      'devices[0].confirm: expected a uint32 timestamp > 0 and a 64-byte r‖s signature, got 5 and 2 bytes',
    );
    const d = device(0);
    try {
      await registry.getFunction('registerManyConfirmed')([d.idHash], [d.pubKey], [d.owner], [5], ['0x1234']);
      throw new Error('expected a revert');
    } catch (error) {
      expect(decodeContractError(error, { registry }).message).toContain(
        'InvalidConfirm(idHash=' + d.idHash + ', timestamp=5, signatureLength=2)',
      );
    }
  });

  it('behavior: gas per device in a batch of 200, with and without confirms (printed)', async () => {
    const plain = await registerDevices(registry, Array.from({ length: 200 }, (_, i) => ({ ...device(i, false), idHash: idHash(`plain-${i}`) })));
    const confirmed = await registerDevices(registry, Array.from({ length: 200 }, (_, i) => device(i)));
    const perDevice = { registerMany: Number(plain.gasUsed) / 200, registerManyConfirmed: Number(confirmed.gasUsed) / 200 };
    console.log(JSON.stringify({ gasPerDevice: perDevice }));
    // Recording the confirm adds calldata and a log, no storage slot.
    expect(perDevice.registerManyConfirmed - perDevice.registerMany).toBeLessThan(6_000);
  });
});
