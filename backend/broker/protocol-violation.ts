/**
 * Whether an error aedes reports for a client (its `clientError`/`connectionError`) is the
 * client breaking MQTT — a PUBLISH to a wildcard or empty topic, a malformed or truncated packet,
 * a bad protocol name — rather than its socket failing (ECONNRESET, EPIPE: a node `code`), its
 * keepalive running out, or a packet the size cap refused (counted as `payload.too-large`).
 * aedes closes the connection either way; only the violations are counted, so that a publish
 * dropped this way is still accounted for.
 */
export function isProtocolViolation(error: Error & { code?: unknown; packetTooLarge?: boolean }): boolean {
  if (error.packetTooLarge === true) return false;
  if (typeof error.code === 'string') return false;
  return error.message !== 'keep alive timeout';
}
