import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
// Before @peculiar/x509: it resolves its algorithms through tsyringe, which needs the Reflect metadata API when it loads.
import 'reflect-metadata';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  type Extension,
  type JsonGeneralName,
} from '@peculiar/x509';
import { PinbenchError } from '../../core/errors.ts';

/**
 * A certificate authority of this machine's own, made once and kept in a folder outside the
 * repository (the bench passes `<PINBENCH_HOME>/ca`). It issues the broker's server certificate
 * for mqtts/wss and the devices' client certificates, so a device that holds the CA file and its
 * own certificate logs in the way a production fleet does, without a password.
 */
export interface LocalCa {
  readonly certPem: string;
  /** The CA certificate's file, what `mosquitto_pub --cafile` and a device's `ca` take. */
  readonly certPath: string;
  /**
   * A serverAuth certificate naming every host: 127.0.0.1, ::1 and localhost always, and for a
   * wildcard bind (0.0.0.0, ::) the machine's hostname and its interfaces' addresses too.
   */
  issueServerCertificate(hosts: readonly string[]): Promise<IssuedCertificate>;
  /** A clientAuth certificate whose subject CN is the device id (the broker logs the device in by it). */
  issueClientCertificate(deviceId: string): Promise<IssuedCertificate>;
}

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 ("PRIVATE KEY"), which OpenSSL tools, mosquitto and Node all read. */
  readonly keyPem: string;
}

export const CA_CERT_FILE = 'ca.cert.pem';
export const CA_KEY_FILE = 'ca.key.pem';
const CA_NAME = 'CN=pinbench local CA';

const crypto = webcrypto as unknown as Crypto;
const EC_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
const CA_VALIDITY_DAYS = 3652;
// A server certificate is issued again at every run; a client certificate lives in a device's
// credentials across runs, so it lasts as long as the CA.
const SERVER_VALIDITY_DAYS = 398;
// Real boards' clocks are often minutes off before they have synced.
const BACKDATE_MS = 10 * 60_000;
// Another process making the same CA at the same moment writes the key, then the certificate.
const CREATION_GRACE_MS = 2000;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** 16 random bytes, the top bit cleared: a positive serial with 127 bits of entropy (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function keyPemOf(pkcs8: ArrayBuffer): string {
  const base64 = Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${base64}\n-----END PRIVATE KEY-----\n`;
}

function damaged(dir: string, why: string, cause?: unknown): PinbenchError {
  return new PinbenchError(
    'LOCAL_CA_INVALID',
    `the local CA in ${dir} is unusable: ${why}; delete ${dir} and pinbench makes a new CA (devices then need their certificates issued again)`,
    { details: { dir }, cause },
  );
}

async function importCaKey(dir: string, keyPem: string, cert: X509Certificate): Promise<CryptoKey> {
  let der: Buffer;
  try {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not a P-256 key');
    const certSpki = Buffer.from(cert.publicKey.rawData);
    if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certSpki)) {
      throw damaged(dir, `${CA_KEY_FILE} is not the key of ${CA_CERT_FILE}`);
    }
    der = key.export({ type: 'pkcs8', format: 'der' });
  } catch (error) {
    if (error instanceof PinbenchError) throw error;
    throw damaged(dir, `${CA_KEY_FILE} is not a P-256 private key in PEM (${(error as Error).message})`, error);
  }
  return crypto.subtle.importKey('pkcs8', new Uint8Array(der), EC_KEY, false, ['sign']);
}

async function readCa(dir: string): Promise<{ cert: X509Certificate; key: CryptoKey; certPem: string }> {
  const certPath = join(dir, CA_CERT_FILE);
  const certPem = readFileSync(certPath, 'utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (error) {
    throw damaged(dir, `${CA_CERT_FILE} is not a PEM certificate`, error);
  }
  if (cert.getExtension(BasicConstraintsExtension)?.ca !== true) throw damaged(dir, `${CA_CERT_FILE} is not a CA certificate`);
  if (cert.notAfter.getTime() <= Date.now()) throw damaged(dir, `${CA_CERT_FILE} expired on ${cert.notAfter.toISOString()}`);
  const key = await importCaKey(dir, readFileSync(join(dir, CA_KEY_FILE), 'utf8'), cert);
  return { cert, key, certPem };
}

async function createCa(dir: string): Promise<void> {
  const keys = (await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: CA_NAME,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keyPem = keyPemOf(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const tmp = (file: string) => join(dir, `.${file}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp(CA_KEY_FILE), keyPem, { mode: 0o600 });
    writeFileSync(tmp(CA_CERT_FILE), cert.toString('pem') + '\n');
    // link() fails if the key exists: of two processes making the CA at once, one wins and the
    // other reads the winner's CA.
    try {
      linkSync(tmp(CA_KEY_FILE), join(dir, CA_KEY_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw error;
    }
    renameSync(tmp(CA_CERT_FILE), join(dir, CA_CERT_FILE));
  } catch (error) {
    throw new PinbenchError('LOCAL_CA_WRITE_FAILED', `cannot write the local CA to ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; make the folder writable or point PINBENCH_HOME elsewhere`, {
      details: { dir },
      cause: error,
    });
  } finally {
    for (const file of [CA_KEY_FILE, CA_CERT_FILE]) {
      try {
        rmSync(tmp(file), { force: true });
      } catch {
        // The folder was never made; the error above says so.
      }
    }
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Reads the CA in `dir` (`ca.cert.pem`, `ca.key.pem`), or makes it there when the folder has neither. */
export async function loadOrCreateLocalCa(dir: string): Promise<LocalCa> {
  const folder = resolve(dir);
  const certPath = join(folder, CA_CERT_FILE);
  const keyPath = join(folder, CA_KEY_FILE);
  if (!existsSync(certPath) && !existsSync(keyPath)) await createCa(folder);
  for (let waited = 0; existsSync(keyPath) && !existsSync(certPath) && waited < CREATION_GRACE_MS; waited += 100) await sleep(100);
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    throw damaged(folder, `it holds ${existsSync(certPath) ? CA_CERT_FILE : CA_KEY_FILE} but not ${existsSync(certPath) ? CA_KEY_FILE : CA_CERT_FILE}`);
  }
  const ca = await readCa(folder);
  return {
    certPem: ca.certPem,
    certPath,
    issueServerCertificate: (hosts) => issue(ca, 'pinbench broker', SERVER_VALIDITY_DAYS, ExtendedKeyUsage.serverAuth, serverNames(hosts)),
    issueClientCertificate: (deviceId) => issue(ca, deviceId, CA_VALIDITY_DAYS, ExtendedKeyUsage.clientAuth, []),
  };
}

function serverNames(hosts: readonly string[]): JsonGeneralName[] {
  const names = new Set(['127.0.0.1', '::1', 'localhost']);
  for (const host of hosts) {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (!WILDCARD_HOSTS.has(bare)) {
      names.add(bare);
      continue;
    }
    // A wildcard listener is reached by whatever name or address a device was given.
    names.add(hostname());
    for (const addresses of Object.values(networkInterfaces())) {
      // Link-local addresses need a zone (%eth0) that no certificate can name.
      for (const { address } of addresses ?? []) if (!/^fe80:/i.test(address)) names.add(address);
    }
  }
  return [...names].map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value }));
}

async function issue(
  ca: { cert: X509Certificate; key: CryptoKey },
  commonName: string,
  validityDays: number,
  usage: ExtendedKeyUsage,
  altNames: JsonGeneralName[],
): Promise<IssuedCertificate> {
  const keys = (await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const extensions: Extension[] = [
    new BasicConstraintsExtension(false, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
    new ExtendedKeyUsageExtension([usage], false),
    await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    await AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, crypto),
  ];
  if (altNames.length > 0) extensions.push(new SubjectAlternativeNameExtension(altNames, false));
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: [{ CN: [commonName] }],
      issuer: ca.cert.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(Math.min(now + validityDays * DAY_MS, ca.cert.notAfter.getTime())),
      publicKey: keys.publicKey,
      signingKey: ca.key,
      signingAlgorithm: SIGNING,
      extensions,
    },
    crypto,
  );
  return { certPem: cert.toString('pem') + '\n', keyPem: keyPemOf(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}
