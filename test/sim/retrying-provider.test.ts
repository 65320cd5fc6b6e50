import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Network } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRpc } from '../../sim/chain/anvil.ts';
import { isTransientTransportError, RetryingJsonRpcProvider } from '../../sim/chain/retrying-provider.ts';

type Behaviour = 'drop' | '502' | '503' | 'hold' | 'ok' | 'rpc-error';

/**
 * A scripted JSON-RPC endpoint: the n-th HTTP request gets the n-th behaviour (then 'ok').
 * It answers every call with its id and `0x7a69` (chain id 31337), batches included.
 */
async function scriptedEndpoint(script: Behaviour[]) {
  const methods: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as Array<{ id: number; method: string }> | { id: number; method: string };
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      methods.push(calls.map((c) => c.method));
      const behaviour = script[methods.length - 1] ?? 'ok';
      if (behaviour === 'drop') return req.socket.destroy();
      if (behaviour === 'hold') return;
      if (behaviour === '502' || behaviour === '503') {
        res.writeHead(Number(behaviour), { 'content-type': 'text/html' });
        return res.end('<html>bad gateway</html>');
      }
      const answers = calls.map((c) =>
        behaviour === 'rpc-error' ? { jsonrpc: '2.0', id: c.id, error: { code: -32000, message: 'execution reverted' } } : { jsonrpc: '2.0', id: c.id, result: '0x7a69' },
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    methods,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function providerFor(url: string, attemptTimeoutMs = 5_000) {
  const sleeps: number[] = [];
  const provider = new RetryingJsonRpcProvider(url, Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 }, {
    policy: { attempts: 5, attemptTimeoutMs, backoff: { initialMs: 100, maxMs: 2_000 } },
    sleep: async (ms) => void sleeps.push(ms),
  });
  open.push({ close: async () => provider.destroy() });
  return { provider, sleeps };
}

describe('RetryingJsonRpcProvider', () => {
  it('behavior: a dropped connection, a 502 and a 503 are sent again with backoff; the fourth try is answered', async () => {
    const endpoint = await scriptedEndpoint(['drop', '502', '503']);
    open.push(endpoint);
    const { provider, sleeps } = providerFor(endpoint.url);
    expect(await provider.send('eth_blockNumber', [])).toBe('0x7a69');
    expect(endpoint.methods).toEqual([['eth_blockNumber'], ['eth_blockNumber'], ['eth_blockNumber'], ['eth_blockNumber']]);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(provider.retries).toBe(3);
  });

  it('behavior: a batch whose request was dropped is sent again whole, and each call gets its answer', async () => {
    const endpoint = await scriptedEndpoint(['drop']);
    open.push(endpoint);
    const { provider } = providerFor(endpoint.url);
    const answers = await Promise.all([provider.send('eth_blockNumber', []), provider.send('eth_gasPrice', [])]);
    expect(answers).toEqual(['0x7a69', '0x7a69']);
    expect(endpoint.methods).toEqual([['eth_blockNumber', 'eth_gasPrice'], ['eth_blockNumber', 'eth_gasPrice']]);
  });

  it('behavior: a request the endpoint holds times out after attemptTimeoutMs and is sent again', async () => {
    const endpoint = await scriptedEndpoint(['hold']);
    open.push(endpoint);
    const { provider } = providerFor(endpoint.url, 200);
    expect(await provider.send('eth_blockNumber', [])).toBe('0x7a69');
    expect(endpoint.methods).toHaveLength(2);
  });

  it("behavior: the node's own JSON-RPC error is not retried", async () => {
    const endpoint = await scriptedEndpoint(['rpc-error']);
    open.push(endpoint);
    const { provider } = providerFor(endpoint.url);
    await expect(provider.send('eth_call', [{ to: '0x0000000000000000000000000000000000000001', data: '0x' }, 'latest'])).rejects.toMatchObject({ code: 'CALL_EXCEPTION' });
    expect(endpoint.methods).toHaveLength(1);
    expect(provider.retries).toBe(0);
  });

  it('behavior: a method that changes state on every call (evm_mine) is not sent twice', async () => {
    const endpoint = await scriptedEndpoint(['drop']);
    open.push(endpoint);
    const { provider } = providerFor(endpoint.url);
    await expect(provider.send('evm_mine', [])).rejects.toThrow(/socket hang up/);
    expect(endpoint.methods).toEqual([['evm_mine']]);
  });

  it('behavior: after the last try the transport error is passed up unchanged (the sender waits out an unreachable node itself)', async () => {
    const endpoint = await scriptedEndpoint(['drop', 'drop', 'drop', 'drop', 'drop']);
    open.push(endpoint);
    const { provider, sleeps } = providerFor(endpoint.url);
    await expect(provider.send('eth_blockNumber', [])).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(endpoint.methods).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 400, 800]);
  });
});

describe('isTransientTransportError', () => {
  it('behavior: connection failures, timeouts and 5xx are transient; 4xx and other errors are not', () => {
    expect(isTransientTransportError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientTransportError(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isTransientTransportError(Object.assign(new Error('request timeout'), { code: 'TIMEOUT' }))).toBe(true);
    expect(isTransientTransportError(Object.assign(new Error('server response 503'), { code: 'SERVER_ERROR', info: { responseStatus: '503 Service Unavailable' } }))).toBe(true);
    expect(isTransientTransportError(Object.assign(new Error('server response 401'), { code: 'SERVER_ERROR', info: { responseStatus: '401 Unauthorized' } }))).toBe(false);
    expect(isTransientTransportError(new Error('execution reverted'))).toBe(false);
    expect(isTransientTransportError(undefined)).toBe(false);
  });
});

describe('connectRpc', () => {
  it('behavior: the first eth_chainId is tried again when the endpoint drops it', async () => {
    const endpoint = await scriptedEndpoint(['drop', '502']);
    open.push(endpoint);
    const rpc = await connectRpc(endpoint.url);
    open.push({ close: async () => rpc.provider.destroy() });
    expect(rpc.chainId).toBe(31337n);
    expect(endpoint.methods).toEqual([['eth_chainId'], ['eth_chainId'], ['eth_chainId']]);
  });
});
