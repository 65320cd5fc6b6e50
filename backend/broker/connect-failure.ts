/**
 * Why an MQTT client's connection failed, as a short key the report counts by
 * (`connack.not-authorized`, `tls.name-mismatch`, `unreachable`, …), for the fleet's devices and
 * for the backend's own login to a team's broker alike.
 */

// CONNACK return codes of MQTT 3.1.1 (1–5) and reason codes of MQTT 5 (≥ 128) [MQTT-3.2.2.3].
const CONNACK: Record<number, string> = {
  1: 'unacceptable-protocol-version',
  2: 'identifier-rejected',
  3: 'server-unavailable',
  4: 'bad-username-or-password',
  5: 'not-authorized',
  128: 'unspecified-error',
  132: 'unacceptable-protocol-version',
  133: 'identifier-rejected',
  134: 'bad-username-or-password',
  135: 'not-authorized',
  136: 'server-unavailable',
  137: 'server-busy',
  138: 'banned',
  140: 'bad-authentication-method',
  159: 'connection-rate-exceeded',
};

/** What OpenSSL says when a certificate does not chain to the CA that checks it (either side of a TLS handshake). */
export const NOT_FROM_THIS_CA: ReadonlySet<string> = new Set(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE']);
// A server certificate the client cannot trust: not from the CA given, or outside its validity.
const UNTRUSTED = new Set([...NOT_FROM_THIS_CA, 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

export function connectFailureReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return `connack.${CONNACK[code] ?? code}`;
  if (code === 'ECONNREFUSED') return 'unreachable';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls.name-mismatch';
  if (typeof code === 'string' && UNTRUSTED.has(code)) return 'tls.untrusted-server';
  if (code === 'EPROTO' || (typeof code === 'string' && code.startsWith('ERR_SSL'))) return 'tls.handshake';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection-reset';
  const message = error instanceof Error ? error.message : String(error);
  if (/connack timeout|connect timeout/i.test(message)) return 'timeout';
  if (/closed before CONNACK/i.test(message)) return 'closed-before-connack';
  return 'other';
}

/** One line on what to do about the failure `reason` of a connection to `url`. */
export function connectFailureAdvice(reason: string, url: string): string {
  if (reason === 'unreachable') return `nothing accepts connections at ${url}: start the broker or check the host and port`;
  if (reason === 'dns') return `the host of ${url} does not resolve: check its name`;
  if (reason === 'timeout') return `${url} did not answer the MQTT handshake in time: check the port is the broker's MQTT port (not its HTTP or TLS one) and that a firewall lets it through`;
  if (reason === 'tls.name-mismatch') return `the broker's certificate does not name the host in ${url}: connect by a name the certificate carries (its subjectAltName), or issue one that names this host (pinbench provision --tls --host <name>)`;
  if (reason === 'tls.untrusted-server') return `the broker's certificate at ${url} is not issued by the CA given: pass the CA that signed it with --ca <file.pem>`;
  if (reason === 'tls.handshake') return `the TLS handshake with ${url} failed: check that the port speaks TLS (mqtts/wss) and that the broker takes the client certificate given`;
  if (reason === 'connack.bad-username-or-password' || reason === 'connack.not-authorized') {
    return `the broker at ${url} refused the login (${reason}): load the credentials \`pinbench provision\` wrote into it, and give the backend's login in the URL (mqtt://user:password@host:port) or by --broker-credentials <dir>/backend.json`;
  }
  return `the connection to ${url} failed (${reason})`;
}
