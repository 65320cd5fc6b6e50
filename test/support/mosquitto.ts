import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's `mosquitto` for tests: a broker pinbench did not write, on loopback, with a config
 * made of the files `pinbench provision` writes. The tests use the real program, not a stand-in.
 */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

export function requireMosquitto(): string {
  if (MOSQUITTO === undefined || !existsSync('/usr/bin/mosquitto_pub')) {
    throw new Error("this test needs Debian's mosquitto broker and clients: apt-get install -y mosquitto mosquitto-clients (.ci/run installs them)");
  }
  return MOSQUITTO;
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function listening(port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host, () => (socket.end(), resolve(true))).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}`);
}

export interface MosquittoOptions {
  /** Where mosquitto.conf and mosquitto.log go. */
  dir: string;
  /** The loopback address to bind (default 127.0.0.1; any 127.x.y.z works on Linux). */
  host?: string;
  passwordFile?: string;
  aclFile: string;
  /** A TLS listener: the CA (also checks client certificates), the server's certificate and key. */
  tls?: { cafile: string; certfile: string; keyfile: string; requireCertificate?: boolean };
}

export interface RunningMosquitto {
  readonly port: number;
  readonly process: ChildProcess;
  readonly logPath: string;
  stop(): Promise<void>;
}

/**
 * Starts mosquitto on a free loopback port. The queue limits are lifted so the backend's one
 * connection, which carries every device's traffic, is never cut short by mosquitto's defaults
 * (1,000 queued, 20 in flight per client): docs/own-broker.md says the same to users.
 */
export async function startMosquitto(options: MosquittoOptions): Promise<RunningMosquitto> {
  const bin = requireMosquitto();
  const port = await freePort();
  const logPath = join(options.dir, 'mosquitto.log');
  const lines = [
    // Run as root, mosquitto drops to user `mosquitto`, who could not read the 0600 files: stay the test's user.
    `user ${userInfo().username}`,
    'per_listener_settings false',
    'allow_anonymous false',
    `acl_file ${options.aclFile}`,
    ...(options.passwordFile === undefined ? [] : [`password_file ${options.passwordFile}`]),
    'max_queued_messages 0',
    'max_inflight_messages 0',
    'persistence false',
    `log_dest file ${logPath}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    `listener ${port} ${options.host ?? '127.0.0.1'}`,
    ...(options.tls === undefined
      ? []
      : [
          `cafile ${options.tls.cafile}`,
          `certfile ${options.tls.certfile}`,
          `keyfile ${options.tls.keyfile}`,
          ...(options.tls.requireCertificate ? ['require_certificate true', 'use_identity_as_username true'] : []),
        ]),
    '',
  ];
  const confPath = join(options.dir, 'mosquitto.conf');
  writeFileSync(confPath, lines.join('\n'));
  const child = spawn(bin, ['-c', confPath], { stdio: 'ignore' });
  await listening(port, options.host);
  return {
    port,
    process: child,
    logPath,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
