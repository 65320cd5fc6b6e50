import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';

/**
 * Where the fleet's devices connect: the embedded broker's loopback listener, or a team's broker
 * (`--broker`), with the CA that signed its certificate and, for a broker that logs devices in
 * by certificate, the folder of their client certificates. Plain data, so it crosses to the
 * fleet process as it is.
 */
export interface BrokerTarget {
  readonly url: string;
  /** The broker's CA (mqtts/wss), PEM. */
  readonly caPem?: string;
  /** `<username>.cert.pem` and `<username>.key.pem` per device, as `pinbench provision --tls` writes them in `certs/`. */
  readonly clientCertDir?: string;
}

/** The TLS options of one device's connection to `target` (none for mqtt:// and ws://). */
export function deviceTlsOptions(target: BrokerTarget, username: string): { ca?: string; cert?: Buffer; key?: Buffer } {
  const options: { ca?: string; cert?: Buffer; key?: Buffer } = {};
  if (target.caPem !== undefined) options.ca = target.caPem;
  if (target.clientCertDir !== undefined) {
    const certPath = join(target.clientCertDir, `${username}.cert.pem`);
    try {
      options.cert = readFileSync(certPath);
      options.key = readFileSync(join(target.clientCertDir, `${username}.key.pem`));
    } catch (error) {
      throw new PinbenchError('CREDENTIALS_INVALID', `device ${username}: no client certificate at ${certPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); write them with \`pinbench provision <scenario> --tls --out DIR\` and pass --client-certs DIR/certs`);
    }
  }
  return options;
}
