import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { silentLogger } from '../../core/ports.ts';
import { connectRpc, devPrivateKeys, resolveAnvilBinary, startAnvil, type AnvilNode } from '../../sim/chain/anvil.ts';

let anvil: AnvilNode;

beforeAll(async () => {
  anvil = await startAnvil({ logger: silentLogger });
});

afterAll(async () => {
  await anvil?.stop();
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Holds a TCP port on 127.0.0.1 so that nothing else can bind it. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('startAnvil', () => {
  it('behavior: picks a free port and answers eth_chainId with the dev chain id', async () => {
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`);
    expect(anvil.chainId).toBe(31337n);
    const { chainId } = await connectRpc(anvil.rpcUrl);
    expect(chainId).toBe(31337n);
  });

  it('behavior: accounts are the private keys of the funded dev accounts, in order', async () => {
    const { provider } = await connectRpc(anvil.rpcUrl);
    const onNode = (await provider.send('eth_accounts', [])) as string[];
    expect(anvil.accounts).toHaveLength(10);
    expect(anvil.accounts.map((key) => new Wallet(key).address.toLowerCase())).toEqual(onNode.map((a) => a.toLowerCase()));
    expect(await provider.getBalance(new Wallet(anvil.accounts[9]).address)).toBe(10_000n * 10n ** 18n);
  });

  it('args: an explicit port and account count are used; stop kills the process and may be called twice', async () => {
    const { port, server } = await holdPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const node = await startAnvil({ port, accountCount: 2, logger: silentLogger });
    expect(node.port).toBe(port);
    expect(node.accounts).toHaveLength(2);
    expect(isAlive(node.pid)).toBe(true);
    await node.stop();
    await node.stop();
    expect(isAlive(node.pid)).toBe(false);
  });

  it('behavior: an anvil that dies after startup is reported as a warning', async () => {
    const warnings: string[] = [];
    const node = await startAnvil({ logger: { ...silentLogger, warn: (m) => warnings.push(m) } });
    process.kill(node.pid, 'SIGKILL');
    await expect.poll(() => warnings.length).toBe(1);
    expect(warnings[0]).toMatch(new RegExp(`^anvil \\(pid ${node.pid}\\) exited unexpectedly \\(code SIGKILL\\); chain calls will fail`));
    await node.stop();
  });

  it('error: a port already in use fails with anvil output in the message', async () => {
    const { port, server } = await holdPort();
    try {
      await expect(startAnvil({ port, logger: silentLogger })).rejects.toMatchObject({
        code: 'ANVIL_EXITED',
        message: expect.stringMatching(
          new RegExp(`^anvil exited during startup \\(code 1\\) on http://127\\.0\\.0\\.1:${port}; check the port and flags; anvil output:\\n.*Address already in use`),
        ),
      });
    } finally {
      server.close();
    }
  });

  it('error: a missing binary says what to run', async () => {
    await expect(startAnvil({ binaryPath: '/nonexistent/anvil', logger: silentLogger })).rejects.toMatchObject({
      code: 'ANVIL_SPAWN_FAILED',
      message: expect.stringMatching(/^could not start anvil at \/nonexistent\/anvil: spawn \/nonexistent\/anvil ENOENT; run `npm ci`/),
    });
  });

  it('args: historyStates keeps that many past block states; a negative count is refused', async () => {
    const node = await startAnvil({ accountCount: 1, historyStates: 2, logger: silentLogger });
    const { provider } = await connectRpc(node.rpcUrl);
    try {
      await provider.send('anvil_mine', ['0x4']);
      const address = new Wallet(node.accounts[0]!).address;
      expect(await provider.getBalance(address, 3)).toBe(10_000n * 10n ** 18n);
      await expect(provider.getBalance(address, 1)).rejects.toMatchObject({ error: { message: 'BlockOutOfRangeError: block height is 4 but requested was 1' } });
    } finally {
      provider.destroy();
      await node.stop();
    }
    await expect(startAnvil({ historyStates: -1, logger: silentLogger })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'historyStates must be a whole number ≥ 0, got -1',
    });
  });

  it('behavior: the binary resolves from the platform package', () => {
    expect(resolveAnvilBinary()).toMatch(/@foundry-rs[/\\]anvil-[a-z0-9]+-[a-z0-9]+[/\\]bin[/\\]anvil(\.exe)?$/);
  });

  it('args: devPrivateKeys derives the well-known first dev key', () => {
    expect(devPrivateKeys(1)).toEqual(['0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80']);
  });
});

describe('connectRpc', () => {
  it('error: nothing listening gives a clear message', async () => {
    const { port, server } = await holdPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    await expect(connectRpc(url)).rejects.toMatchObject({
      code: 'RPC_UNREACHABLE',
      message: `could not reach RPC at ${url}: fetch failed (connect ECONNREFUSED 127.0.0.1:${port}); start a node or omit --rpc`,
    });
  });

  it('error: a malformed or non-http URL is rejected before connecting', async () => {
    await expect(connectRpc('localhost:8545')).rejects.toMatchObject({
      code: 'RPC_URL_INVALID',
      message: 'RPC URL "localhost:8545" is not http(s): give an http(s) URL such as http://127.0.0.1:8545',
    });
    await expect(connectRpc('not a url')).rejects.toMatchObject({
      code: 'RPC_URL_INVALID',
      message: 'RPC URL "not a url" is not a valid URL: give an http(s) URL such as http://127.0.0.1:8545',
    });
  });
});
