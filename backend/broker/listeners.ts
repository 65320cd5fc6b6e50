import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, isIPv4, isIPv6, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { PinbenchError } from '../../core/errors.ts';

/**
 * The broker's listeners: MQTT over TCP (`mqtt`), over TLS (`mqtts`), over WebSocket (`ws`) and
 * over WebSocket on TLS (`wss`). All four hand their connections to the same aedes broker, so a
 * device logs in, is checked and is counted the same way whichever it uses.
 */
export type ListenerProtocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

export interface ListenerSpec {
  readonly protocol: ListenerProtocol;
  /** The address to bind, without brackets for IPv6 (`::1`); 0.0.0.0 or :: for every interface. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The HTTP path of a ws/wss listener (`/mqtt` unless given); undefined for mqtt/mqtts. */
  readonly path?: string;
}

/** The server certificate and its CA for mqtts/wss; the CA also checks client certificates. */
export interface ListenerTls {
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface RunningListener {
  readonly spec: ListenerSpec;
  /** The listener's URL with its real port, e.g. `mqtts://127.0.0.1:40123`, `ws://127.0.0.1:40124/mqtt`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting and destroys what is still connected (close the broker's clients first). */
  close(): Promise<void>;
}

/**
 * Connections the kernel queues before aedes accepts them (Node's default is 511; Linux caps it
 * at net.core.somaxconn, 4096 on current kernels). A fleet keeps its own handshakes well below
 * this (`HandshakeLimit`); the rest is room for real hardware and other clients.
 */
export const LISTEN_BACKLOG = 4096;

/** What mqtt.js and mosquitto's clients ask for when a ws:// URL names no path. */
const DEFAULT_WS_PATH = '/mqtt';
const PROTOCOLS: readonly ListenerProtocol[] = ['mqtt', 'mqtts', 'ws', 'wss'];
const EXAMPLE = 'e.g. --listen mqtts://127.0.0.1:8883 or --listen ws://0.0.0.0:8080/mqtt';
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

export const isTlsListener = (spec: ListenerSpec): boolean => spec.protocol === 'mqtts' || spec.protocol === 'wss';

function invalid(raw: string, why: string): PinbenchError {
  return new PinbenchError('LISTEN_URL_INVALID', `listener "${raw}": ${why}; ${EXAMPLE}`, { details: { url: raw } });
}

/** `mqtt://host:port`, `mqtts://host:port`, `ws://host:port[/path]`, `wss://host:port[/path]`. */
export function parseListenUrl(raw: string): ListenerSpec {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(raw.trim());
  if (scheme === null) throw invalid(raw, 'not a URL (scheme://host:port)');
  const protocol = scheme[1]!.toLowerCase() as ListenerProtocol;
  if (!PROTOCOLS.includes(protocol)) throw invalid(raw, `unknown scheme "${scheme[1]}://"; use mqtt://, mqtts://, ws:// or wss://`);
  const rest = scheme[2]!;
  if (/[?#@\s]/.test(rest)) throw invalid(raw, 'a listener URL takes no user, query or fragment');
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '' : rest.slice(slash);
  if (!authority.startsWith('[') && authority.split(':').length > 2) throw invalid(raw, 'an IPv6 address goes in brackets, as in mqtt://[::1]:1883');
  const parts = /^(\[([^\]]*)\]|([^:[\]]*))(?::(.*))?$/.exec(authority);
  if (parts === null) throw invalid(raw, `"${authority}" is not host:port`);
  const host = parts[2] ?? parts[3]!;
  const port = parts[4];
  if (host === '') throw invalid(raw, 'no host; give an address to bind (127.0.0.1 for this machine only, 0.0.0.0 for every interface)');
  if (parts[2] !== undefined ? !isIPv6(host) : !isIPv4(host) && !HOSTNAME.test(host)) throw invalid(raw, `"${host}" is not a host name or IP address`);
  if (port === undefined || port === '') throw invalid(raw, 'no port; give one (0 picks a free port)');
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw invalid(raw, `port "${port}" is not a number from 0 to 65535`);
  if (protocol === 'mqtt' || protocol === 'mqtts') {
    if (rawPath !== '' && rawPath !== '/') throw invalid(raw, `${protocol}:// takes no path ("${rawPath}"); a path is for ws:// and wss://`);
    return { protocol, host, port: Number(port) };
  }
  return { protocol, host, port: Number(port), path: rawPath === '' ? DEFAULT_WS_PATH : rawPath };
}

export function listenerUrl(spec: ListenerSpec, port: number = spec.port): string {
  const host = isIPv6(spec.host) ? `[${spec.host}]` : spec.host;
  return `${spec.protocol}://${host}:${port}${spec.path ?? ''}`;
}

function remoteOf(socket: Socket | undefined): string {
  const address = socket?.remoteAddress;
  if (address === undefined) return 'an unknown address';
  return `${isIPv6(address) ? `[${address}]` : address}:${socket!.remotePort ?? '?'}`;
}

function listenFailed(url: string, spec: ListenerSpec, cause: NodeJS.ErrnoException, portAdvice: string): PinbenchError {
  const code = cause.code ?? cause.message;
  const [why, advice] =
    cause.code === 'EADDRINUSE'
      ? [`port ${spec.port} is in use`, portAdvice]
      : cause.code === 'EADDRNOTAVAIL'
        ? [`${spec.host} is not an address of this machine`, 'listen on 127.0.0.1, 0.0.0.0 or one of this machine\'s addresses']
        : cause.code === 'EACCES'
          ? [`no permission to listen on port ${spec.port} (ports below 1024 need privileges)`, portAdvice]
          : cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN'
            ? [`${spec.host} does not resolve to an address`, 'listen on an IP address, e.g. 127.0.0.1 or 0.0.0.0']
            : [code, portAdvice];
  return new PinbenchError('BROKER_LISTEN_FAILED', `cannot listen on ${url}: ${why} (${code}); ${advice}`, { details: { url, code }, cause });
}

export interface StartListenerInput {
  /** aedes's `broker.handle`. */
  readonly handle: (stream: Duplex, req?: IncomingMessage) => unknown;
  /** Required for mqtts and wss. */
  readonly tls?: ListenerTls;
  /** A TLS handshake that failed, with the remote address and a one-line reason. */
  readonly onTlsFailure: (remote: string, reason: string) => void;
  /** What a BROKER_LISTEN_FAILED message advises when the port is the problem. */
  readonly portAdvice?: string;
}

/** Starts one listener; rejects with BROKER_LISTEN_FAILED when it cannot listen. */
export async function startListener(spec: ListenerSpec, input: StartListenerInput): Promise<RunningListener> {
  const { handle, onTlsFailure } = input;
  const tlsOptions = (): TlsOptions => {
    if (input.tls === undefined) {
      throw new PinbenchError('BROKER_TLS_REQUIRED', `listener ${listenerUrl(spec)} needs a server certificate and CA; pass the broker \`tls\` issued by the local CA, or listen on mqtt:// or ws://`);
    }
    return {
      key: input.tls.keyPem,
      cert: input.tls.certPem,
      ca: [input.tls.caCertPem],
      // A client without a certificate may still log in by password, and a certificate from
      // another CA is refused at MQTT login with a counted reason rather than a bare handshake
      // failure: the broker reads `authorized` there.
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    };
  };

  let server: NetServer | HttpServer;
  let wsServer: WebSocketServer | undefined;
  if (spec.protocol === 'mqtt') {
    server = createNetServer((socket) => handle(socket));
  } else if (spec.protocol === 'mqtts') {
    server = createTlsServer(tlsOptions(), (socket) => handle(socket));
  } else {
    const upgradeOnly = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket: connect with ${listenerUrl(spec, (server.address() as AddressInfo).port)}\n`);
    };
    const httpServer = spec.protocol === 'ws' ? createHttpServer(upgradeOnly) : createHttpsServer(tlsOptions(), upgradeOnly);
    // ws picks the first subprotocol the client asks for ("mqtt"), as MQTT over WebSocket requires.
    wsServer = new WebSocketServer({ server: httpServer, path: spec.path });
    server = httpServer;
    // Listening errors reach `server`'s own handler below; ws re-emits them here too.
    wsServer.on('error', () => undefined);
    wsServer.on('connection', (socket, req) => handle(createWebSocketStream(socket), req));
  }
  // Sockets that never finished a handshake or a CONNECT are no aedes client: closing the
  // broker leaves them open, and they would hold `server.close` until they time out.
  const sockets = new Set<Socket>();
  // A peer that hangs up mid-handshake has no address left when the failure is reported, so it
  // is read on connection; a TLSSocket's `_parent` (Node internal) is that raw socket.
  const remotes = new WeakMap<Socket, string>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    remotes.set(socket, remoteOf(socket));
    socket.once('close', () => sockets.delete(socket));
  });
  if (isTlsListener(spec)) {
    const hint = `connect with ${spec.protocol}:// and the CA file`;
    server.on('tlsClientError', (error: Error & { reason?: string; code?: string }, socket: TLSSocket & { _parent?: Socket }) => {
      const remote = (socket._parent === undefined ? undefined : remotes.get(socket._parent)) ?? remoteOf(socket);
      onTlsFailure(remote, `TLS handshake from ${remote} failed: ${error.reason ?? error.code ?? error.message}; ${hint}`);
    });
  }

  const wanted = listenerUrl(spec);
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException) =>
      reject(listenFailed(wanted, spec, cause, input.portAdvice ?? `choose another port in ${wanted} (0 picks a free one)`));
    server.once('error', onError);
    server.listen({ port: spec.port, host: spec.host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // An error after listening (e.g. EMFILE on accept) must not crash the run; the connection it
  // concerns is lost either way.
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;
  return {
    spec,
    url: listenerUrl(spec, port),
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of wsServer?.clients ?? []) client.terminate();
      wsServer?.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
