import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PackageType, createVerifier, decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import { readKeyFile } from '../../sim/bridge/key-file.ts';
import { nmeaSentence, parseNmeaLine, type NmeaFix } from '../../sim/bridge/nmea.ts';
import { buildBridgeReading, freshRandomHex } from '../../sim/bridge/reading-builder.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinbench-bridge-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A key pair made by OpenSSL, not by pinbench: the PEM, and its public key as 0x04 ‖ x ‖ y. */
function opensslKey(namedCurve: 'P-256' | 'secp256k1', type: 'pkcs8' | 'sec1') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { pem: privateKey.export({ type, format: 'pem' }) as string, publicKey: new Uint8Array(raw), d: Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url') };
}

const BERLIN_FIX = (parseNmeaLine(nmeaSentence('GNRMC,091200.00,A,5231.30940,N,01324.79687,E,21.972,250.08,140526,,,A')) as { fix: NmeaFix }).fix;

describe('readKeyFile', () => {
  it('behavior: PKCS#8 and SEC1 PEM on P-256, PKCS#8 on secp256k1, and 64 hex digits give the same public key OpenSSL has', () => {
    const cases = [
      { curve: 'p256', key: opensslKey('P-256', 'pkcs8') },
      { curve: 'p256', key: opensslKey('P-256', 'sec1') },
      { curve: 'secp256k1', key: opensslKey('secp256k1', 'pkcs8') },
      { curve: 'secp256k1', key: opensslKey('secp256k1', 'sec1') },
    ] as const;
    for (const [i, { curve, key }] of cases.entries()) {
      const read = readKeyFile(keyFile(`k${i}.pem`, key.pem));
      expect(read.curve).toBe(curve);
      expect(Buffer.from(read.publicKey).toString('hex')).toBe(Buffer.from(key.publicKey).toString('hex'));
    }
    const p256 = opensslKey('P-256', 'pkcs8');
    expect(readKeyFile(keyFile('hex', `0x${p256.d.toString('hex')}\n`)).publicKey).toEqual(p256.publicKey);
    const k1 = opensslKey('secp256k1', 'pkcs8');
    expect(readKeyFile(keyFile('hex-k1', k1.d.toString('hex')), 'secp256k1').publicKey).toEqual(k1.publicKey);
  });

  it('error: BRIDGE_KEY_INVALID for a missing file, a non-key, a key of another curve, a curve mismatch, a zero scalar', () => {
    const code = { code: 'BRIDGE_KEY_INVALID' };
    expect(() => readKeyFile(join(dir, 'nope.pem'))).toThrow(expect.objectContaining({ ...code, message: expect.stringContaining('nope.pem: no such file; give a PEM private key') }));
    expect(() => readKeyFile(keyFile('text', 'hello'))).toThrow(expect.objectContaining({ ...code, message: expect.stringContaining('neither PEM nor 64 hex digits') }));
    expect(() => readKeyFile(keyFile('bad.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'))).toThrow(expect.objectContaining(code));
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => readKeyFile(keyFile('p384.pem', p384))).toThrow(expect.objectContaining({ ...code, message: expect.stringContaining('a key on P-384, not on P-256 or secp256k1') }));
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => readKeyFile(keyFile('ed.pem', ed))).toThrow(expect.objectContaining({ ...code, message: expect.stringContaining('a key on Ed25519, not on') }));
    expect(() => readKeyFile(keyFile('p256.pem', opensslKey('P-256', 'pkcs8').pem), 'secp256k1')).toThrow(
      expect.objectContaining({ ...code, message: expect.stringContaining('a p256 key, but --curve secp256k1 was given') }),
    );
    expect(() => readKeyFile(keyFile('zero', '00'.repeat(32)))).toThrow(expect.objectContaining({ ...code, message: expect.stringContaining('not a valid p256 private key') }));
  });
});

describe('buildBridgeReading', () => {
  it('behavior: the payload decodes with the codec, lat/lon × 1e7 exact, no invented sensors, and verifies under the key', () => {
    for (const [namedCurve, curve] of [['P-256', 'p256'], ['secp256k1', 'secp256k1']] as const) {
      const pem = opensslKey(namedCurve, 'pkcs8');
      const key = readKeyFile(keyFile(`sign-${curve}.pem`, pem.pem));
      const reading = buildBridgeReading(key, BERLIN_FIX, 1_778_749_920, '0123456789abcdef');
      const pkg = decodeBinPackage(reading.payload);
      expect(pkg.type).toBe(PackageType.DATA);
      expect(pkg.timestamp).toBe(1_778_749_920);
      expect(decodeSensorData(pkg.data)).toEqual({
        snr: 0,
        vbat: 0,
        latitude: 525_218_233,
        longitude: 134_132_812,
        gasResistance: 0,
        temperature: 0,
        pressure: 0,
        humidity: 0,
        light: 0,
        temperature2: 0,
        gyroscope: [],
        accelerometer: [],
        random: '0123456789abcdef',
      });
      // Checked against the public key OpenSSL derived, not the one the bridge derived.
      const verifier = createVerifier(pem.publicKey, curve);
      expect(verifier.verifyPackage(pkg)).toBe(true);
      expect(verifier.verify(pkg.type, pkg.data, pkg.timestamp + 1, pkg.signature)).toBe(false);
    }
  });

  it('behavior: a fresh random per reading, 16 hex digits like the firmware', () => {
    const seen = new Set(Array.from({ length: 50 }, () => freshRandomHex()));
    expect(seen.size).toBe(50);
    for (const r of seen) expect(r).toMatch(/^[0-9a-f]{16}$/);
    const key = readKeyFile(keyFile('rand.pem', opensslKey('P-256', 'pkcs8').pem));
    const a = decodeSensorData(decodeBinPackage(buildBridgeReading(key, BERLIN_FIX, 1).payload).data).random;
    const b = decodeSensorData(decodeBinPackage(buildBridgeReading(key, BERLIN_FIX, 1).payload).data).random;
    expect(a).not.toBe(b);
  });
});
