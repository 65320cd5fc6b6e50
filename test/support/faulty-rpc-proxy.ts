import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Test helper: a JSON-RPC endpoint in front of a real node (anvil) that misbehaves the way
 * hosted RPC providers do, for a share of the requests: it drops the connection without an
 * answer (before or after the node saw the request), answers HTTP 502 or 503, or holds the
 * request past the client's timeout and then drops it. Every other request is forwarded
 * byte for byte, batch bodies (JSON arrays, as ethers sends concurrent calls) included: a
 * fault hits a whole HTTP request, batch or not, as it does at a real provider.
 *
 * The faults come from a seeded generator, drawn in the order requests arrive: the same seed
 * gives the same sequence of faults, so a failure can be chased with the seed that found it.
 */
export type RpcFault = 'dropBeforeNode' | 'dropAfterNode' | 'http502' | 'http503' | 'holdPastTimeout';

export interface FaultyRpcProxyOptions {
  /** The real node, e.g. anvil's http://127.0.0.1:8545. */
  target: string;
  seed: number;
  /** Share of HTTP requests that get a fault; default 0.1. */
  faultRate?: number;
  /** Relative weights of the faults; default mostly drops. */
  mix?: Partial<Record<RpcFault, number>>;
  /** How long a held request is kept before its connection is dropped; default 15,000 ms, past the run's 5 s per try and its sender's 10 s. */
  holdMs?: number;
}

export interface FaultyRpcProxyStats {
  /** HTTP requests received. */
  requests: number;
  /** JSON-RPC calls inside them (a batch counts each of its calls). */
  calls: number;
  /** HTTP requests whose body was a JSON array. */
  batches: number;
  forwarded: number;
  faults: Record<RpcFault, number>;
  /** JSON-RPC methods of the requests that got a fault, with how often. */
  faultedMethods: Record<string, number>;
}

export interface FaultyRpcProxy {
  url: string;
  stats(): FaultyRpcProxyStats;
  /** Requests that got a fault, all kinds together. */
  faulted(): number;
  close(): Promise<void>;
}

const DEFAULT_MIX: Record<RpcFault, number> = { dropBeforeNode: 4, dropAfterNode: 3, http502: 1, http503: 1, holdPastTimeout: 1 };
const FAULTS = Object.keys(DEFAULT_MIX) as RpcFault[];

/** mulberry32: small, seeded, good enough to pick faults. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function methodsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    return calls.map((c) => (typeof (c as { method?: unknown })?.method === 'string' ? (c as { method: string }).method : '?'));
  } catch {
    return ['?'];
  }
}

/**
 * The proxy's sequence of faults: call n answers for the n-th request (undefined: forwarded).
 * A test can read what the first requests of a seed will get, whatever the timing.
 */
export function faultPicker(options: Pick<FaultyRpcProxyOptions, 'seed' | 'faultRate' | 'mix'>): () => RpcFault | undefined {
  const random = seededRandom(options.seed);
  const faultRate = options.faultRate ?? 0.1;
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const totalWeight = FAULTS.reduce((sum, f) => sum + mix[f], 0);
  return () => {
    // Two draws per request whatever the outcome, so one request's fault never shifts the next's.
    const hit = random() < faultRate;
    let pick = random() * totalWeight;
    if (!hit) return undefined;
    for (const fault of FAULTS) {
      pick -= mix[fault];
      if (pick < 0) return fault;
    }
    return FAULTS[FAULTS.length - 1];
  };
}

export async function startFaultyRpcProxy(options: FaultyRpcProxyOptions): Promise<FaultyRpcProxy> {
  const target = new URL(options.target);
  const holdMs = options.holdMs ?? 15_000;
  const stats: FaultyRpcProxyStats = {
    requests: 0, calls: 0, batches: 0, forwarded: 0,
    faults: { dropBeforeNode: 0, dropAfterNode: 0, http502: 0, http503: 0, holdPastTimeout: 0 },
    faultedMethods: {},
  };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pickFault = faultPicker(options);

  /** Sends the body to the node; resolves with its status, headers and body. */
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') }, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    stats.requests++;
    const methods = methodsOf(body);
    stats.calls += methods.length;
    if (body[0] === 0x5b /* [ */) stats.batches++;
    const fault = pickFault();
    if (fault !== undefined) {
      stats.faults[fault]++;
      for (const m of methods) stats.faultedMethods[m] = (stats.faultedMethods[m] ?? 0) + 1;
    }
    switch (fault) {
      case 'dropBeforeNode':
        req.socket.destroy();
        return;
      case 'http502':
      case 'http503':
        res.writeHead(fault === 'http502' ? 502 : 503, { 'content-type': 'text/html', connection: 'close' });
        res.end(fault === 'http502' ? '<html><body>502 Bad Gateway</body></html>' : '<html><body>503 Service Temporarily Unavailable</body></html>');
        return;
      case 'holdPastTimeout': {
        // The node does get the request (a slow provider still works on it); the answer never comes.
        void forward(req, body).catch(() => undefined);
        const timer = setTimeout(() => {
          timers.delete(timer);
          req.socket.destroy();
        }, holdMs);
        timers.add(timer);
        return;
      }
      default:
        break;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch {
      req.socket.destroy(); // the node itself is gone: the client sees what it would see without a proxy
      return;
    }
    if (fault === 'dropAfterNode') {
      // The node did the work (a transaction may be in its pool); the client never hears of it.
      req.socket.destroy();
      return;
    }
    stats.forwarded++;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    faulted: () => FAULTS.reduce((sum, f) => sum + stats.faults[f], 0),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
