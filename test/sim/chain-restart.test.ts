import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports.ts';
import { TxSender } from '../../contracts/index.ts';
import { startChain, type ChainStart } from '../../sim/chain/start-chain.ts';

/**
 * The embedded chain's restart on a real anvil: a clean stop keeps what was mined (anvil saves
 * its state on the way down); a kill loses what was mined since its last periodic save (every
 * 60 s here, so surely), and the sender's recheck puts it back under the same hash.
 */
let chain: ChainStart | undefined;
afterEach(async () => {
  await chain?.stop();
  chain = undefined;
});

async function started(): Promise<{ chain: ChainStart; sender: TxSender; to: string }> {
  const statePath = join(mkdtempSync(join(tmpdir(), 'pinbench-chain-restart-')), 'chain-state.json');
  chain = await startChain({ logger: silentLogger, statePath, stateIntervalS: 60 });
  const sender = await TxSender.start({ wallet: chain.operator, pollIntervalMs: 20, dropCheckMs: 200 });
  return { chain, sender, to: Wallet.createRandom().address };
}

describe('startChain: restart of the embedded chain', () => {
  it('behavior: after a clean stop the chain answers on the same URL with what was mined, from a new process', async () => {
    const { chain, sender, to } = await started();
    const receipt = await sender.send({ to, value: 5n, gasLimit: 21_000n, label: 'transfer' });
    const [url, pid] = [chain.rpcUrl, chain.nodePid];
    const { backAfterMs } = await chain.restart!({ downMs: 200, kill: false });
    expect(backAfterMs).toBeGreaterThanOrEqual(200);
    expect(chain.nodePid).not.toBe(pid);
    expect(chain.rpcUrl).toBe(url);
    expect(await chain.operator.provider!.getBalance(to)).toBe(5n);
    expect((await chain.operator.provider!.getTransactionReceipt(receipt.hash))?.status).toBe(1);
    expect(await sender.recheckLostNonces()).toBe(0);
    sender.close();
  });

  it('behavior: after a kill the chain has lost what it mined since its last save; the recheck sends it again with the same hash', async () => {
    const { chain, sender, to } = await started();
    const receipt = await sender.send({ to, value: 7n, gasLimit: 21_000n, label: 'transfer' });
    await chain.restart!({ downMs: 0, kill: true });
    const provider = chain.operator.provider!;
    expect(await provider.getBalance(to)).toBe(0n);
    expect(await sender.recheckLostNonces()).toBe(1);
    await sender.drain();
    expect(await provider.getBalance(to)).toBe(7n);
    expect((await provider.getTransactionReceipt(receipt.hash))?.status).toBe(1);
    expect(sender.stats()).toMatchObject({ sent: 1, confirmed: 1, failed: 0, lostNoncesResent: 1, pending: 0 });
    sender.close();
  });

  it('behavior: a chain the run did not start (--rpc) has no restart', async () => {
    const { chain: own } = await started();
    const external = await startChain({ logger: silentLogger, rpcUrl: own.rpcUrl });
    expect(external.restart).toBeUndefined();
    await external.stop();
  });
});
