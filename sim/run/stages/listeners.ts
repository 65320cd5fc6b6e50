import type { Logger } from '../../../core/ports.ts';
import { isTlsListener, listenerUrl, parseListenUrl, type ListenerSpec, type ListenerTls } from '../../../backend/broker/listeners.ts';
import { loadOrCreateLocalCa, type LocalCa } from '../../../backend/pki/local-ca.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface PreparedListeners {
  /** undefined: the broker's default, one mqtt listener on loopback at `--broker-port`. */
  readonly specs: ListenerSpec[] | undefined;
  readonly tls: ListenerTls | undefined;
  /** The local CA, when a listener needs TLS or a real device needs a client certificate. */
  readonly ca: LocalCa | undefined;
}

/**
 * What the broker listens on: the scenario's `broker.listen` and `--listen`, checked before the
 * run starts anything. The virtual fleet always keeps a plain loopback listener of its own
 * (`--broker-port`, or a free port), so asking for mqtts or ws for real devices changes nothing
 * for it. A listener off loopback is an explicit choice, and the run says so.
 */
export async function prepareListeners(input: {
  urls: readonly string[];
  brokerPort: number | undefined;
  needCa: boolean;
  caDir: string;
  logger: Logger;
}): Promise<PreparedListeners> {
  const asked = input.urls.map(parseListenUrl);
  const fleetListener = asked.find((s) => s.protocol === 'mqtt' && LOOPBACK.has(s.host));
  const specs =
    asked.length === 0
      ? undefined
      : fleetListener !== undefined && input.brokerPort === undefined
        ? asked
        : [{ protocol: 'mqtt' as const, host: '127.0.0.1', port: input.brokerPort ?? 0 }, ...asked];
  for (const spec of asked) {
    if (!LOOPBACK.has(spec.host)) {
      input.logger.warn(`listening on ${listenerUrl(spec)}: reachable from other machines on that interface, as asked`);
    }
  }
  const tlsHosts = [...new Set(asked.filter(isTlsListener).map((s) => s.host))];
  const ca = tlsHosts.length > 0 || input.needCa ? await loadOrCreateLocalCa(input.caDir) : undefined;
  if (ca === undefined || tlsHosts.length === 0) return { specs, tls: undefined, ca };
  const server = await ca.issueServerCertificate(tlsHosts);
  input.logger.info(`TLS listeners use the local CA ${ca.certPath}`);
  return { specs, tls: { caCertPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem }, ca };
}
