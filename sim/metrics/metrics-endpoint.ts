import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import { PinbenchError } from '../../core/errors.ts';

/** Where `--metrics` listens. */
export interface MetricsAddress {
  /** The address to bind, without brackets for IPv6 (`::1`). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** Bound when `--metrics` gives only a port. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
const EXAMPLE = 'give HOST:PORT such as 127.0.0.1:9464, or a port alone for 127.0.0.1 (0 picks a free port)';
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

function invalid(raw: string, why: string): PinbenchError {
  return new PinbenchError('METRICS_LISTEN_INVALID', `metrics address "${raw}": ${why}; ${EXAMPLE}`, { details: { address: raw } });
}

/** `HOST:PORT`, `[IPv6]:PORT` or `PORT` (then on loopback). */
export function parseMetricsAddress(raw: string): MetricsAddress {
  const text = raw.trim();
  if (text === '') throw invalid(raw, 'empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /[/?#@\s]/.test(text)) throw invalid(raw, 'not HOST:PORT (no scheme, path or spaces)');
  if (!text.startsWith('[') && text.split(':').length > 2) throw invalid(raw, 'an IPv6 address goes in brackets, as in [::1]:9464');
  const parts = /^(?:(?:\[([^\]]*)\]|([^:[\]]*)):)?([^:]*)$/.exec(text);
  if (parts === null) throw invalid(raw, 'not HOST:PORT');
  const bracketed = parts[1];
  const host = bracketed ?? parts[2] ?? DEFAULT_METRICS_HOST;
  const port = parts[3]!;
  if (bracketed === undefined && parts[2] === undefined && !/^\d+$/.test(port)) throw invalid(raw, 'no port');
  if (host === '') throw invalid(raw, 'no host before the colon');
  if (bracketed !== undefined ? !isIPv6(host) : !isIPv4(host) && !HOSTNAME.test(host)) throw invalid(raw, `"${host}" is not a host name or IP address`);
  if (port === '') throw invalid(raw, 'no port');
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) throw invalid(raw, `port "${port}" is not a number from 0 to 65535`);
  return { host, port: Number(port) };
}

/** `raw` once it parses (`--metrics` is checked as the command line is read; the run binds it). */
export function checkedMetricsAddress(raw: string): string {
  parseMetricsAddress(raw);
  return raw;
}

/** Whether only this machine can reach `host`. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

export function metricsUrl(host: string, port: number): string {
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}/metrics`;
}

/** What the endpoint serves: a prom-client Registry fits. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsEndpoint {
  /** `http://host:port/metrics`, with the bound port. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

function listenFailed(address: MetricsAddress, cause: NodeJS.ErrnoException): PinbenchError {
  const where = `${isIPv6(address.host) ? `[${address.host}]` : address.host}:${address.port}`;
  const code = cause.code ?? cause.message;
  const [why, advice] =
    cause.code === 'EADDRINUSE'
      ? [`port ${address.port} is in use`, 'choose another port with --metrics, or 0 for a free one']
      : cause.code === 'EADDRNOTAVAIL'
        ? [`${address.host} is not an address of this machine`, 'listen on 127.0.0.1, 0.0.0.0 or one of this machine\'s addresses']
        : cause.code === 'EACCES'
          ? [`no permission to listen on port ${address.port} (ports below 1024 need privileges)`, 'choose a port from 1024, e.g. 9464']
          : cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN'
            ? [`${address.host} does not resolve to an address`, 'listen on an IP address, e.g. 127.0.0.1 or 0.0.0.0']
            : [code, 'choose another address with --metrics'];
  return new PinbenchError('METRICS_LISTEN_FAILED', `cannot serve metrics on ${where}: ${why} (${code}); ${advice}`, { details: { host: address.host, port: address.port, code }, cause });
}

/**
 * An HTTP server answering `GET /metrics` (and HEAD) with `source`'s text exposition, 404 on any
 * other path, 405 for other methods on /metrics. Rejects with METRICS_LISTEN_FAILED when it
 * cannot listen. The server does not keep the process alive on its own.
 */
export async function startMetricsEndpoint(address: MetricsAddress, source: MetricsSource): Promise<MetricsEndpoint> {
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET and HEAD\n');
      return;
    }
    source.metrics().then(
      (text) => void res.writeHead(200, { 'content-type': source.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => void res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${(error as Error).message}\n`),
    );
  };
  const server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(listenFailed(address, error));
    server.once('error', failed);
    server.listen({ host: address.host, port: address.port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: metricsUrl(address.host, port),
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
