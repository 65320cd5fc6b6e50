import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildFleet, buildReading, createSensorModel, createStreetGridMotion, seededRandom } from '../../devices/index.ts';
import { DataChannel, createVerifier, decodeBinPackage, signedDigest, signedMessage } from '../../protocol/index.ts';
import { binPackageToJson, jsonToBinPackage } from '../../protocol/codec/json-package.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('docs/codec-json.md', () => {
  it('behavior: the worked examples are the readings the code makes', () => {
    const doc = readFileSync('docs/codec-json.md', 'utf8');
    const [device] = buildFleet({ seed: 'codec-json-docs', count: 1, uploadPeriodS: 10 });
    const t0 = Date.UTC(2026, 0, 1);
    const random = seededRandom('codec-json-docs', 'device', 0);
    const source = {
      key: device!,
      motion: createStreetGridMotion({ area: device!.area, profile: 'car', start: device!.start, startMs: t0, random }),
      sensors: createSensorModel(random, t0),
    };
    expect(doc).toContain(`IMEI \`${device!.id}\``);
    expect(doc).toContain(hex(device!.publicKey));
    const verifier = createVerifier(device!.publicKey, device!.curve);
    for (const [k, options] of [{}, { dataChannel: DataChannel.GPS | DataChannel.VBAT }].entries()) {
      const { payload } = buildReading(source, t0 + 60_000, options);
      const pkg = decodeBinPackage(payload);
      const json = binPackageToJson(payload);
      expect(doc).toContain(`\n${Buffer.from(json).toString()}\n`);
      expect(doc).toContain(`(${json.length} bytes)`);
      expect(doc).toContain(hex(pkg.data));
      expect(doc).toContain(hex(signedDigest(pkg.type, pkg.data, pkg.timestamp)));
      expect(verifier.verifyPackage(jsonToBinPackage(json))).toBe(true);
      if (k === 0) {
        expect(doc).toContain(`\n    ${hex(payload)}\n`);
        expect(doc).toContain(`${payload.length}-byte \`BinPackage\``);
        expect(doc).toContain(`(${pkg.data.length} bytes)`);
        const signed = hex(signedMessage(pkg.type, pkg.data, pkg.timestamp));
        expect(doc).toContain(`${signed.slice(0, 8)} ${signed.slice(8, 14)}…${signed.slice(-12, -8)} ${signed.slice(-8)}`);
        expect(doc).toContain(`timestamp ${pkg.timestamp} = \`0x${pkg.timestamp.toString(16)}\``);
      }
    }
  });
});
