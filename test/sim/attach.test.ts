import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDevicePublicKey } from '../../sim/attach/public-key.ts';
import { addToBook, readFromBook } from '../../sim/attach/device-book.ts';
import { checkDeviceId, checkOwner, scenarioDevicePassword } from '../../sim/attach/attached-device.ts';
import { mosquittoPubCommand } from '../../sim/attach/issue-credentials.ts';
import { readCredentialsFile, writeCredentialsFile } from '../../sim/attach/credentials-file.ts';
import { DEFAULT_TOPICS, TOPIC_KINDS } from '../../protocol/topics.ts';
import { parseDeviceArgs } from '../../sim/cli/device-command.ts';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const jwk = pair.publicKey.export({ format: 'jwk' });
const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);

describe('attached devices: keys, the device book, credentials', () => {
  it('behavior: a PEM file, PEM text and hex (uncompressed or compressed) give the same 65-byte key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-key-'));
    writeFileSync(join(dir, 'dev.pem'), pem);
    const compressed = Buffer.concat([Buffer.from([uncompressed[64]! % 2 === 0 ? 2 : 3]), uncompressed.subarray(1, 33)]);
    for (const input of [join(dir, 'dev.pem'), pem, uncompressed.toString('hex'), `0x${compressed.toString('hex')}`]) {
      const key = parseDevicePublicKey(input);
      expect(key.curve).toBe('p256');
      expect(Buffer.from(key.publicKey).equals(uncompressed)).toBe(true);
    }
    expect(parseDevicePublicKey('dev.pem', { baseDir: dir }).curve).toBe('p256');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(parseDevicePublicKey(k1).curve).toBe('secp256k1');
  });

  it('error: a malformed --pubkey says what was wrong and what to give', () => {
    const how = 'give a PEM public key (a file, or its text starting "-----BEGIN PUBLIC KEY-----") or the point in hex: 65 bytes uncompressed (04…) or 33 compressed (02…/03…)';
    expect(() => parseDevicePublicKey('04abcd', { what: '--pubkey' })).toThrow(`--pubkey: 3 bytes of hex; ${how}`);
    expect(() => parseDevicePublicKey(`04${'11'.repeat(64)}`, { what: '--pubkey' })).toThrow('--pubkey: not a point on p256 (a secp256k1 key? say --curve secp256k1)');
    expect(() => parseDevicePublicKey('no-such.pem', { what: '--pubkey' })).toThrow('--pubkey: "no-such.pem" is neither a PEM file that exists nor hex');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => parseDevicePublicKey(rsa, { what: '--pubkey' })).toThrow('--pubkey: a RSA key on no curve: devices sign with P-256 or secp256k1');
  });

  it('behavior: adding a device twice with the same key keeps its password; another key is refused', () => {
    const home = mkdtempSync(join(tmpdir(), 'pinbench-home-'));
    const device = { deviceId: '356938035643809', publicKey: new Uint8Array(uncompressed), curve: 'p256' as const, owner: checkOwner('0x000000000000000000000000000000000000dead') };
    const first = addToBook(home, device);
    const again = addToBook(home, device);
    expect(first.added).toBe(true);
    expect(again.added).toBe(false);
    expect(again.device.password).toBe(first.device.password);
    expect(readFromBook(home, device.deviceId)).toMatchObject({ owner: '0x000000000000000000000000000000000000dEaD', uploadPeriodS: 10, registration: 'registrar', source: 'device add' });
    const changed = addToBook(home, { ...device, uploadPeriodS: 1 });
    expect(changed).toMatchObject({ added: false, updated: true });
    expect(changed.device).toMatchObject({ password: first.device.password, uploadPeriodS: 1 });
    expect(readFromBook(home, device.deviceId).uploadPeriodS).toBe(1);
    expect(() => addToBook(home, { ...device, publicKey: new Uint8Array(65).fill(4) })).toThrow(/^device 356938035643809 was added before with another public key; delete .*356938035643809\.json to provision it again$/);
    expect(() => readFromBook(home, '352099001761481')).toThrow(/^device 352099001761481 was never added \(no .*\); add it with `pinbench device add --id 352099001761481 --pubkey <pem\|hex> --owner <address>`$/);
  });

  it('behavior: ids and owners are checked; a scenario device\'s password is the same for the same seed', () => {
    expect(() => checkDeviceId('12345')).toThrow('--id: expected the device\'s IMEI, 15 digits, got "12345"');
    expect(() => checkOwner('0x12')).toThrow('--owner: expected an Ethereum address (0x and 40 hex digits), got "0x12"');
    expect(scenarioDevicePassword(7, '356938035643809')).toBe(scenarioDevicePassword(7, '356938035643809'));
    expect(scenarioDevicePassword(8, '356938035643809')).not.toBe(scenarioDevicePassword(7, '356938035643809'));
  });

  it('behavior: the credentials file round-trips, and its mosquitto_pub line carries the TLS files and login', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinbench-creds-'));
    const topics = Object.fromEntries(TOPIC_KINDS.map((k) => [k, DEFAULT_TOPICS.topic(k, '356938035643809')])) as never;
    const path = writeCredentialsFile(dir, '356938035643809', { url: 'mqtts://127.0.0.1:8883', clientId: 'nrf-356938035643809', username: '356938035643809', password: 'pw', topics }, { caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' });
    const creds = readCredentialsFile(path);
    expect(creds.ca).toBe(join(dir, '356938035643809.ca.pem'));
    expect(mosquittoPubCommand(creds)).toBe(
      `mosquitto_pub -V mqttv311 -h 127.0.0.1 -p 8883 --cafile ${creds.ca} --cert ${creds.cert} --key ${creds.key} -i nrf-356938035643809 -u 356938035643809 -P pw -t device/356938035643809/data -q 1 -f reading.bin`,
    );
    writeFileSync(join(dir, 'bad.json'), '{"url":"http://x"}');
    expect(() => readCredentialsFile(join(dir, 'bad.json'))).toThrow(/bad\.json: expected "clientId" as a non-empty string; write it again with `pinbench device add`/);
  });

  it('error: device add needs its three options and a known command', () => {
    expect(() => parseDeviceArgs(['add', '--id', '356938035643809'])).toThrow('option --pubkey is required: `pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address>`');
    expect(() => parseDeviceArgs(['remove'])).toThrow('unknown device command "remove"');
    expect(parseDeviceArgs([])).toHaveProperty('help');
  });
});
