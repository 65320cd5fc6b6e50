import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractFactory, Interface, JsonRpcProvider, Network, Wallet, type TransactionReceipt } from 'ethers';
import { PinbenchError } from '../../core/errors.ts';
import { silentLogger } from '../../core/ports.ts';
import { TxSender, classifySendError, type TxSenderOptions } from '../../contracts/index.ts';
import { startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';

const TARGET_SOL = fileURLToPath(new URL('./fixtures/TxTarget.sol', import.meta.url));

let anvil: AnvilNode;
let provider: JsonRpcProvider;
let target: { address: string; iface: Interface };
let restore: (() => Promise<void>) | undefined;

/** Test fake: a JSON-RPC provider whose eth_sendRawTransaction misbehaves as scripted, call by call. */
class FlakyRpcProviderFake extends JsonRpcProvider {
  /** One step per eth_sendRawTransaction call; when empty, calls pass through. */
  plan: Array<'refuse' | 'lose-answer'> = [];
  rawSends = 0;

  override async send(method: string, params: Array<unknown> | Record<string, unknown>): Promise<any> {
    if (method === 'eth_sendRawTransaction') {
      this.rawSends++;
      const step = this.plan.shift();
      if (step === 'refuse') {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' });
      }
      if (step === 'lose-answer') {
        // The node gets the transaction but the answer never comes back (the sender times out).
        await super.send(method, params);
        return new Promise(() => undefined);
      }
    }
    return super.send(method, params);
  }
}

function compileTarget(): { abi: unknown[]; bytecode: string } {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: { 'TxTarget.sol': { content: readFileSync(TARGET_SOL, 'utf8') } },
    settings: { outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = output.contracts['TxTarget.sol']!['TxTarget']!;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

const newProvider = (): JsonRpcProvider =>
  new JsonRpcProvider(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });

const fast: Partial<TxSenderOptions> = {
  pollIntervalMs: 20,
  dropCheckMs: 50,
  backoff: { initialMs: 10, maxMs: 40 },
  requestTimeoutMs: 2_000,
  logger: silentLogger,
};

async function setAutomine(on: boolean): Promise<void> {
  await provider.send('evm_setAutomine', [on]);
  restore = on ? undefined : async () => {
    await provider.send('evm_setAutomine', [true]);
    await provider.send('evm_mine', []);
  };
}

const settleData = (epoch: number, batch: number): string => target.iface.encodeFunctionData('settle', [epoch, batch]);

beforeAll(async () => {
  anvil = await startAnvil({ logger: silentLogger });
  provider = newProvider();
  const compiled = compileTarget();
  // Deployed from the last dev account so the tests' accounts start at nonce 0.
  const deployer = new Wallet(anvil.accounts[9]!, provider);
  const contract = await new ContractFactory(compiled.abi as never, compiled.bytecode, deployer).deploy();
  await contract.waitForDeployment();
  target = { address: await contract.getAddress(), iface: new Interface(compiled.abi as never) };
});

afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

let snapshotId: string;
beforeEach(async () => {
  snapshotId = (await provider.send('evm_snapshot', [])) as string;
});

afterEach(async () => {
  await restore?.();
  restore = undefined;
  await provider.send('evm_revert', [snapshotId]);
});

describe('TxSender', () => {
  it('behavior: a burst of 12 txs goes out before any is mined and comes back as 12 receipts with consecutive nonces', async () => {
    const wallet = new Wallet(anvil.accounts[0]!, provider);
    const sender = await TxSender.start({ wallet, ...fast });
    const first = sender.nonce;
    await setAutomine(false);
    const startBlock = await provider.getBlockNumber();

    const receipts = Array.from({ length: 12 }, (_, i) =>
      sender.send({ to: target.address, data: settleData(1, i), gasLimit: 100_000n, label: `settle 1/${i}` }),
    );
    await vi.waitFor(() => expect(sender.stats().sent).toBe(12), { timeout: 5_000, interval: 10 });
    // All twelve were accepted by the node while none was mined.
    expect(await provider.getBlockNumber()).toBe(startBlock);
    await provider.send('evm_mine', []);

    const mined = await Promise.all(receipts);
    expect(mined.every((r) => r.status === 1 && r.blockNumber === startBlock + 1)).toBe(true);
    const nonces = await Promise.all(mined.map(async (r) => (await provider.getTransaction(r.hash))!.nonce));
    expect(nonces).toEqual(Array.from({ length: 12 }, (_, i) => first + i));
    expect(sender.stats()).toEqual({ sent: 12, confirmed: 12, reverted: 0, failed: 0, rebroadcast: 0, retried: 0, gapFilled: 0, outages: 0, lostNoncesResent: 0, pending: 0 });
    const timings = sender.timings();
    expect(timings.map((t) => t.label).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `settle 1/${i}`).sort());
    expect(timings.every((t) => t.status === 'mined' && t.ms !== undefined && t.ms >= 0 && t.gasUsed! > 0n)).toBe(true);
    sender.close();
  });

  it('behavior: a tx dropped from the pool is re-broadcast with the same bytes and then mined', async () => {
    const wallet = new Wallet(anvil.accounts[1]!, provider);
    const sender = await TxSender.start({ wallet, ...fast });
    await setAutomine(false);
    const pending = sender.send({ to: target.address, data: settleData(2, 0), gasLimit: 100_000n, label: 'settle 2/0' });
    await vi.waitFor(() => expect(sender.inFlight()[0]?.state).toBe('pending'), { timeout: 5_000, interval: 10 });
    const hash = sender.inFlight()[0]!.hash!;

    await provider.send('anvil_dropTransaction', [hash]);
    expect(await provider.send('eth_getTransactionByHash', [hash])).toBeNull();
    await vi.waitFor(() => expect(sender.stats().rebroadcast).toBe(1), { timeout: 5_000, interval: 10 });
    expect(await provider.send('eth_getTransactionByHash', [hash])).not.toBeNull();
    await provider.send('evm_mine', []);

    const receipt = await pending;
    expect(receipt.hash).toBe(hash);
    expect(receipt.status).toBe(1);
    expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, rebroadcast: 1, failed: 0 });
    expect(sender.timings()[0]).toMatchObject({ label: 'settle 2/0', hash, status: 'mined', rebroadcasts: 1 });
    sender.close();
  });

  it('behavior: a reverted tx rejects with the decoded custom error and is not re-sent', async () => {
    const wallet = new Wallet(anvil.accounts[2]!, provider);
    const sender = await TxSender.start({ wallet, ...fast, decodeWith: { settlement: target.iface } });
    // Both go out back to back with explicit gas limits: the second cannot be estimated away.
    const once = sender.send({ to: target.address, data: settleData(7, 3), gasLimit: 100_000n, label: 'settle 7/3' });
    const twice = sender.send({ to: target.address, data: settleData(7, 3), gasLimit: 100_000n, label: 'settle 7/3 again' });

    expect((await once).status).toBe(1);
    const error = (await twice.catch((e: unknown) => e)) as PinbenchError;
    expect(error).toBeInstanceOf(PinbenchError);
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(error.details).toMatchObject({ contract: 'settlement', error: 'AlreadySettled', args: { epoch: 7, batch: 3 }, label: 'settle 7/3 again', nonce: 1 });
    const { hash, blockNumber } = error.details as { hash: string; blockNumber: number };
    expect(error.message).toBe(
      `tx "settle 7/3 again" (nonce 1, hash ${hash}) reverted in block ${blockNumber}: ` +
        'settlement reverted with AlreadySettled(epoch=7, batch=3): epoch 7 batch 3 is already settled; do not submit it again',
    );
    // Wait a few poll rounds: nothing is re-sent, the account's nonce stays at 2.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await provider.getTransactionCount(wallet.address, 'latest')).toBe(2);
    expect(sender.stats()).toMatchObject({ sent: 2, confirmed: 1, reverted: 1, rebroadcast: 0, retried: 0, failed: 0 });
    expect(sender.timings().find((t) => t.nonce === 1)).toMatchObject({ status: 'reverted', hash, sendAttempts: 1 });
    sender.close();
  });

  it('error: a tx that uses its whole gas limit rejects with TX_OUT_OF_GAS', async () => {
    const wallet = new Wallet(anvil.accounts[2]!, provider);
    const sender = await TxSender.start({ wallet, ...fast });
    const error = (await sender
      .send({ to: target.address, data: settleData(8, 0), gasLimit: 30_000n, label: 'settle 8/0' })
      .catch((e: unknown) => e)) as PinbenchError;
    expect(error.code).toBe('TX_OUT_OF_GAS');
    expect(error.message).toMatch(/^tx "settle 8\/0" \(nonce 0, hash 0x[0-9a-f]{64}\) reverted in block \d+ after using its whole gas limit \(30000\): it ran out of gas; raise its gasLimit$/);
    sender.close();
  });

  it('behavior: sends that fail on the RPC (refused, answer lost) are retried with the same bytes', async () => {
    const flaky = new FlakyRpcProviderFake(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true, cacheTimeout: -1 });
    try {
      const wallet = new Wallet(anvil.accounts[3]!, flaky);
      const sender = await TxSender.start({ wallet, ...fast, requestTimeoutMs: 300 });
      flaky.plan = ['refuse', 'refuse', 'lose-answer'];
      const receipt = await sender.send({ to: target.address, data: settleData(3, 0), gasLimit: 100_000n, label: 'settle 3/0' });
      expect(receipt.status).toBe(1);
      // refused, refused, timed out (the node had it), then "already imported" counts as sent.
      expect(flaky.rawSends).toBe(4);
      expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, retried: 3, failed: 0, gapFilled: 0 });
      expect(sender.timings()[0]).toMatchObject({ sendAttempts: 4, status: 'mined' });
      sender.close();
    } finally {
      flaky.destroy();
    }
  });

  it('error: a tx that cannot be sent gives up with TX_SEND_FAILED; its nonce is filled so later txs still go through', async () => {
    const flaky = new FlakyRpcProviderFake(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true, cacheTimeout: -1 });
    try {
      const wallet = new Wallet(anvil.accounts[4]!, flaky);
      // maxOutageMs 0: a refused connection counts as a failed attempt at once.
      const sender = await TxSender.start({ wallet, ...fast, maxSendAttempts: 3, maxOutageMs: 0 });
      flaky.plan = ['refuse', 'refuse', 'refuse'];
      const lost = sender.send({ to: target.address, data: settleData(4, 0), gasLimit: 100_000n, label: 'settle 4/0' });
      const later = sender.send({ to: target.address, data: settleData(4, 1), gasLimit: 100_000n, label: 'settle 4/1' });

      const error = (await lost.catch((e: unknown) => e)) as PinbenchError;
      expect(error.code).toBe('TX_SEND_FAILED');
      const { hash, fillerHash } = error.details as { hash: string; fillerHash: string };
      expect(error.message).toBe(
        `tx "settle 4/0" (nonce 0, hash ${hash}) could not be sent after 3 attempts (connect ECONNREFUSED 127.0.0.1:8545); ` +
          `nonce 0 was filled with a 0-value self-transfer (${fillerHash}) so later transactions are not stuck; ` +
          'check that the node is reachable, then send it again',
      );
      const filler = (await provider.getTransaction(fillerHash))!;
      expect({ to: filler.to, from: filler.from, value: filler.value, nonce: filler.nonce }).toEqual({ to: wallet.address, from: wallet.address, value: 0n, nonce: 0 });

      const receipt: TransactionReceipt = await later;
      expect(receipt.status).toBe(1);
      expect((await provider.getTransaction(receipt.hash))!.nonce).toBe(1);
      expect(await target.iface.decodeFunctionResult('settled', await provider.call({ to: target.address, data: target.iface.encodeFunctionData('settled', [(4n << 128n) | 0n]) }))[0]).toBe(false);
      expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, failed: 1, retried: 2, gapFilled: 1, pending: 0 });
      sender.close();
    } finally {
      flaky.destroy();
    }
  });

  it('behavior: while the node refuses connections the sender waits for it (maxOutageMs) without using up attempts', async () => {
    const flaky = new FlakyRpcProviderFake(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true, cacheTimeout: -1 });
    try {
      const wallet = new Wallet(anvil.accounts[5]!, flaky);
      const sender = await TxSender.start({ wallet, ...fast, maxSendAttempts: 2 });
      // Six refusals would burn the nonce twice over with maxSendAttempts 2, were they counted.
      flaky.plan = ['refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse'];
      const receipt = await sender.send({ to: target.address, data: settleData(5, 0), gasLimit: 100_000n, label: 'settle 5/0' });
      expect(receipt.status).toBe(1);
      expect(flaky.rawSends).toBe(7);
      expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, failed: 0, gapFilled: 0, outages: 1, retried: 6 });
      sender.close();
    } finally {
      flaky.destroy();
    }
  });

  it('behavior: when the chain comes back from an older state, the transactions it lost are sent again with the same bytes', async () => {
    const wallet = new Wallet(anvil.accounts[6]!, provider);
    const sender = await TxSender.start({ wallet, ...fast });
    const before = (await provider.send('evm_snapshot', [])) as string;
    const first = await sender.send({ to: target.address, data: settleData(6, 0), gasLimit: 100_000n, label: 'settle 6/0' });
    const second = await sender.send({ to: target.address, data: settleData(6, 1), gasLimit: 100_000n, label: 'settle 6/1' });
    // The chain forgets both, as an anvil killed and restarted from an older saved state does.
    await provider.send('evm_revert', [before]);
    expect(await provider.getTransactionCount(wallet.address, 'latest')).toBe(0);
    const third = await sender.send({ to: target.address, data: settleData(6, 2), gasLimit: 100_000n, label: 'settle 6/2' });
    expect((await provider.getTransaction(third.hash))!.nonce).toBe(2);
    // The lost two are on chain again under their old hashes, in their old order.
    const settled = async (epoch: number, batch: number): Promise<boolean> =>
      target.iface.decodeFunctionResult('settled', await provider.call({ to: target.address, data: target.iface.encodeFunctionData('settled', [(BigInt(epoch) << 128n) | BigInt(batch)]) }))[0] as boolean;
    expect([await settled(6, 0), await settled(6, 1), await settled(6, 2)]).toEqual([true, true, true]);
    expect([(await provider.getTransactionReceipt(first.hash))!.status, (await provider.getTransactionReceipt(second.hash))!.status]).toEqual([1, 1]);
    expect(await provider.getTransactionCount(wallet.address, 'latest')).toBe(3);
    expect(sender.stats()).toMatchObject({ sent: 3, confirmed: 3, lostNoncesResent: 2, failed: 0, pending: 0 });
    sender.close();
  });

  it('behavior: with nothing in flight, recheckLostNonces sends again what a rollback lost, and nothing when the chain has it all', async () => {
    const wallet = new Wallet(anvil.accounts[7]!, provider);
    const sender = await TxSender.start({ wallet, ...fast });
    const before = (await provider.send('evm_snapshot', [])) as string;
    const first = await sender.send({ to: target.address, data: settleData(7, 0), gasLimit: 100_000n, label: 'settle 7/0' });
    expect(await sender.recheckLostNonces()).toBe(0);
    await provider.send('evm_revert', [before]);
    expect(await sender.recheckLostNonces()).toBe(1);
    await sender.drain();
    expect((await provider.getTransactionReceipt(first.hash))!.status).toBe(1);
    expect(await provider.getTransactionCount(wallet.address, 'latest')).toBe(1);
    expect(await sender.recheckLostNonces()).toBe(0);
    expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, lostNoncesResent: 1, failed: 0, pending: 0 });
    sender.close();
  });

  it('behavior: node answers are classified as already-there, never-passing or retryable', () => {
    const nodeError = (message: string): Error => Object.assign(new Error('could not coalesce error'), { code: 'UNKNOWN_ERROR', error: { code: -32003, message } });
    expect(classifySendError(nodeError('transaction already imported'))).toBe('known');
    expect(classifySendError(Object.assign(new Error('nonce has already been used'), { code: 'NONCE_EXPIRED' }))).toBe('known');
    expect(classifySendError(nodeError('insufficient funds for gas * price + value'))).toBe('rejected');
    expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifySendError(new PinbenchError('RPC_TIMEOUT', 'eth_sendRawTransaction did not answer within 300 ms'))).toBe('transient');
  });
});

describe('TxSender on a node that keeps no past states', () => {
  let pruned: AnvilNode;
  let prunedProvider: JsonRpcProvider;

  beforeAll(async () => {
    pruned = await startAnvil({ logger: silentLogger, historyStates: 0 });
    prunedProvider = new JsonRpcProvider(pruned.rpcUrl, Network.from(pruned.chainId), { staticNetwork: true, cacheTimeout: -1 });
  });

  afterAll(async () => {
    prunedProvider?.destroy();
    await pruned?.stop();
  });

  it('behavior: a revert mined in an older block is decoded by replaying it on the latest state', async () => {
    const deployer = new Wallet(pruned.accounts[9]!, prunedProvider);
    const { abi, bytecode } = compileTarget();
    const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy();
    await contract.waitForDeployment();
    const address = await contract.getAddress();
    const sender = await TxSender.start({ wallet: new Wallet(pruned.accounts[0]!, prunedProvider), ...fast, decodeWith: { settlement: target.iface } });

    await prunedProvider.send('evm_setAutomine', [false]);
    const once = sender.send({ to: address, data: settleData(7, 3), gasLimit: 100_000n, label: 'settle 7/3' });
    const twice = sender.send({ to: address, data: settleData(7, 3), gasLimit: 100_000n, label: 'settle 7/3 again' }).catch((e: unknown) => e);
    await vi.waitFor(async () => expect(await prunedProvider.send('txpool_status', [])).toMatchObject({ pending: '0x2' }), { timeout: 5_000, interval: 10 });
    // Both land in one block and a second block follows at once, so the revert's block is no
    // longer the latest (its state is gone) when the sender replays the call.
    await prunedProvider.send('anvil_mine', ['0x2']);
    await prunedProvider.send('evm_setAutomine', [true]);
    const { blockNumber } = await once;
    await expect(prunedProvider.getBalance(address, blockNumber)).rejects.toMatchObject({ error: { message: expect.stringMatching(/^BlockOutOfRangeError/) } });

    const error = (await twice) as PinbenchError;
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(error.message).toBe(
      `tx "settle 7/3 again" (nonce 1, hash ${(error.details as { hash: string }).hash}) reverted in block ${blockNumber}: ` +
        'settlement reverted with AlreadySettled(epoch=7, batch=3): epoch 7 batch 3 is already settled; do not submit it again',
    );
    sender.close();
  });
});
