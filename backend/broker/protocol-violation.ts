/** What aedes and mqtt-packet put on the errors they report for a client. */
type ClientError = Error & { code?: unknown; errorCode?: unknown; packetTooLarge?: boolean; protocolVersionRefused?: boolean };

/**
 * Whether an error aedes reports for a client (its `clientError`/`connectionError`) is the
 * client breaking MQTT — a PUBLISH to a wildcard or empty topic, a malformed or truncated packet,
 * a bad protocol name — rather than:
 * - its socket failing (ECONNRESET, EPIPE: a node `code`);
 * - a login aedes refused with a CONNACK return code (`errorCode`: a wrong password, an unknown
 *   device; counted as refused logins already);
 * - an MQTT 5 CONNECT, a version the embedded broker does not speak rather than a broken packet
 *   (a refused login, `protocol-version`);
 * - a packet the size cap refused (counted as `payload.too-large`);
 * - its keepalive running out, or no CONNECT within aedes's connect timeout (a silent or
 *   half-open connection: nothing was sent that broke anything).
 * aedes closes the connection either way; only the violations are counted, so that a publish
 * dropped this way is still accounted for.
 */
export function isProtocolViolation(error: ClientError): boolean {
  if (error.packetTooLarge === true || error.protocolVersionRefused === true) return false;
  if (typeof error.code === 'string' || typeof error.errorCode === 'number') return false;
  return error.message !== 'keep alive timeout' && error.message !== 'connect did not arrive in time';
}

/** A PUBLISH aedes will refuse for its topic, as read: what a `protocol.violation` row keeps. */
export interface RefusedPublish {
  readonly topic: string;
  readonly payload: Buffer;
}

/** What an aedes client's parser looks like from here (mqtt-packet's Parser emits each packet). */
interface PacketEmitter {
  prependListener(event: 'packet', listener: (packet: { cmd?: string; topic?: unknown; payload?: unknown }) => void): void;
}

/**
 * Watches a client's packets for a PUBLISH whose topic aedes refuses (empty, or with `+` or
 * `#`, [MQTT-3.3.2-2]) and keeps the last such one, so that the `protocol.violation` that
 * follows can be stored with its topic and payload rather than as a bare "connection closed".
 * It runs before aedes's own listener, which refuses the packet and reports the error at once.
 */
export function watchRefusedPublishes(client: unknown): () => RefusedPublish | undefined {
  const parser = (client as { _parser?: PacketEmitter })._parser;
  let refused: RefusedPublish | undefined;
  parser?.prependListener('packet', (packet) => {
    if (packet.cmd !== 'publish' || typeof packet.topic !== 'string') return;
    const topic = packet.topic;
    if (topic.length === 0 || topic.includes('#') || topic.includes('+')) {
      refused = { topic, payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload ?? '')) };
    }
  });
  return () => refused;
}
