import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateLocalCa } from '../../backend/pki/local-ca.ts';

const root = mkdtempSync(join(tmpdir(), 'pinbench-ca-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function opensslVerify(caPath: string, certPem: string, purpose: 'sslclient' | 'sslserver'): string {
  const file = join(root, `leaf-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(file, certPem);
  return execFileSync('openssl', ['verify', '-CAfile', caPath, '-purpose', purpose, file], { encoding: 'utf8' }).trim();
}

describe('local CA', () => {
  it('behavior: made once in its folder and read back unchanged on the next load; the key file is 0600', async () => {
    const dir = join(root, 'once');
    const first = await loadOrCreateLocalCa(dir);
    const second = await loadOrCreateLocalCa(dir);
    expect(second.certPem).toBe(first.certPem);
    expect(second.certPath).toBe(join(dir, 'ca.cert.pem'));
    expect(statSync(join(dir, 'ca.key.pem')).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(first.certPem);
    expect(ca.subject).toBe('CN=pinbench local CA');
    expect(ca.ca).toBe(true);
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    // A certificate from the first load still chains to the CA read by the second.
    const leaf = await first.issueClientCertificate('351234567890123');
    expect(opensslVerify(second.certPath, leaf.certPem, 'sslclient')).toMatch(/: OK$/);
  });

  it('behavior: openssl verify accepts a client certificate (CN = device id, clientAuth) and a server certificate (SANs, serverAuth)', async () => {
    const ca = await loadOrCreateLocalCa(join(root, 'issue'));
    const client = await ca.issueClientCertificate('351234567890124');
    expect(opensslVerify(ca.certPath, client.certPem, 'sslclient')).toMatch(/: OK$/);
    const clientCert = new X509Certificate(client.certPem);
    expect(clientCert.subject).toBe('CN=351234567890124');
    expect(clientCert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(client.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(clientCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const server = await ca.issueServerCertificate(['192.0.2.10', 'broker.example']);
    expect(opensslVerify(ca.certPath, server.certPem, 'sslserver')).toMatch(/: OK$/);
    const san = new X509Certificate(server.certPem).subjectAltName ?? '';
    for (const name of ['IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:localhost', 'IP Address:192.0.2.10', 'DNS:broker.example']) {
      expect(san).toContain(name);
    }
    // A client certificate is no server certificate, and the other way round.
    expect(() => opensslVerify(ca.certPath, client.certPem, 'sslserver')).toThrow();
    expect(() => opensslVerify(ca.certPath, server.certPem, 'sslclient')).toThrow();
    // Serial numbers are random, not counted.
    const again = await ca.issueClientCertificate('351234567890124');
    expect(new X509Certificate(again.certPem).serialNumber).not.toBe(clientCert.serialNumber);
  });

  it('behavior: a wildcard bind host adds the machine\'s hostname to the server certificate', async () => {
    const ca = await loadOrCreateLocalCa(join(root, 'wildcard'));
    const server = await ca.issueServerCertificate(['0.0.0.0']);
    const san = new X509Certificate(server.certPem).subjectAltName ?? '';
    expect(san).toContain(`DNS:${hostname()}`);
    expect(san).not.toContain('IP Address:0.0.0.0');
  });

  it('errors: a folder with only one of the two files, or a damaged file, says what to delete', async () => {
    const half = join(root, 'half');
    await loadOrCreateLocalCa(half);
    unlinkSync(join(half, 'ca.cert.pem'));
    await expect(loadOrCreateLocalCa(half)).rejects.toMatchObject({
      code: 'LOCAL_CA_INVALID',
      message: `the local CA in ${half} is unusable: it holds ca.key.pem but not ca.cert.pem; delete ${half} and pinbench makes a new CA (devices then need their certificates issued again)`,
    });

    const garbled = join(root, 'garbled');
    await loadOrCreateLocalCa(garbled);
    writeFileSync(join(garbled, 'ca.cert.pem'), '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
    await expect(loadOrCreateLocalCa(garbled)).rejects.toMatchObject({
      code: 'LOCAL_CA_INVALID',
      message: `the local CA in ${garbled} is unusable: ca.cert.pem is not a PEM certificate; delete ${garbled} and pinbench makes a new CA (devices then need their certificates issued again)`,
    });

    // Two CAs' files mixed up: the key is not the certificate's.
    const mixed = join(root, 'mixed');
    const other = join(root, 'other');
    await loadOrCreateLocalCa(mixed);
    const otherCa = await loadOrCreateLocalCa(other);
    writeFileSync(join(mixed, 'ca.cert.pem'), otherCa.certPem);
    await expect(loadOrCreateLocalCa(mixed)).rejects.toMatchObject({
      code: 'LOCAL_CA_INVALID',
      message: `the local CA in ${mixed} is unusable: ca.key.pem is not the key of ca.cert.pem; delete ${mixed} and pinbench makes a new CA (devices then need their certificates issued again)`,
    });
  });

  it('errors: a folder that cannot be written is LOCAL_CA_WRITE_FAILED naming it', async () => {
    const blocker = join(root, 'blocker');
    writeFileSync(blocker, 'a file, not a folder');
    const dir = join(blocker, 'ca');
    await expect(loadOrCreateLocalCa(dir)).rejects.toMatchObject({
      code: 'LOCAL_CA_WRITE_FAILED',
      message: `cannot write the local CA to ${dir}: ENOTDIR; make the folder writable or point PINBENCH_HOME elsewhere`,
    });
  });
});
