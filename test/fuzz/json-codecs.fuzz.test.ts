import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestCodecFor } from '../../backend/ingest/ingest-codecs.ts';
import { encodeBinPackage } from '../../protocol/codec/bin-package.ts';
import { encodeJsonPackage, jsonToBinPackage } from '../../protocol/codec/json-package.ts';
import { ownerBytes } from '../../protocol/codec/confirm-package.ts';
import { compareVersions, decodeStatusPackage, encodeStatusPackage } from '../../protocol/codec/status-package.ts';
import { PAYLOAD_CODECS } from '../../protocol/codec/payload-codecs.ts';
import { binPackageArb, dataPackageArb, mutatedBytes, statusPackageArb } from './arbitraries.ts';
import { fuzzOptions, valueOrPinbenchError } from './fuzz-support.ts';

const plain = (value: object): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
const utf8 = new TextEncoder();

/** JSON documents of any shape, and JSON-ish text: the status downlink and the JSON ingest read both. */
const jsonText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  statusPackageArb.chain((s) => fc.dictionary(fc.constantFrom('status', 'proposer', 'size', 'version'), fc.jsonValue({ maxDepth: 1 })).map((extra) => JSON.stringify({ ...s, ...extra }))),
);

describe('fuzz: status JSON (registration downlink)', () => {
  it('any bytes or JSON give a StatusPackage or CODEC_DECODE_FAILED', () => {
    const inputs = fc.oneof(jsonText.map((t) => utf8.encode(t)), mutatedBytes(statusPackageArb.map(encodeStatusPackage)));
    fc.assert(fc.property(inputs, (bytes) => void valueOrPinbenchError(() => decodeStatusPackage(bytes), ['CODEC_DECODE_FAILED'])), fuzzOptions(400));
  });

  it('decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(statusPackageArb, (pkg) => {
        expect(decodeStatusPackage(encodeStatusPackage(pkg))).toEqual(pkg);
      }),
      fuzzOptions(200),
    );
  });

  it('what a tracker does with a decoded status (devices/tracker/downlink.ts) gives a value or a known error', () => {
    const proposer = fc.oneof(fc.string({ maxLength: 44 }), fc.stringMatching(/^0x[0-9a-fA-F]{38,42}$/));
    const version = fc.oneof(fc.string({ maxLength: 12 }), fc.array(fc.integer({ min: -1, max: 1e12 }), { maxLength: 5 }).map((parts) => parts.join('.')));
    fc.assert(
      fc.property(proposer, version, version, (owner, a, b) => {
        valueOrPinbenchError(() => ownerBytes(owner), ['CODEC_ENCODE_FAILED']);
        expect([-1, 0, 1]).toContain(compareVersions(a, b));
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      }),
      fuzzOptions(300),
    );
  });
});

describe('fuzz: the ingest codecs', () => {
  for (const name of PAYLOAD_CODECS) {
    it(`${name}: any payload gives a package (and its SensorData) or CODEC_DECODE_FAILED`, () => {
      const codec = ingestCodecFor(name);
      const valid = name === 'json' ? dataPackageArb.map(encodeJsonPackage) : binPackageArb.map(encodeBinPackage);
      const inputs = fc.oneof(mutatedBytes(valid), jsonText.map((t) => utf8.encode(t)));
      fc.assert(
        fc.property(inputs, (bytes) => {
          valueOrPinbenchError(() => {
            const pkg = codec.decodePackage(bytes);
            return codec.decodeSensorData(pkg.data);
          }, ['CODEC_DECODE_FAILED']);
        }),
        fuzzOptions(400),
      );
    });
  }

  it('json: jsonToBinPackage(encodeJsonPackage(x)) = x for every DATA package with canonical SensorData', () => {
    fc.assert(
      fc.property(dataPackageArb, (pkg) => {
        expect(plain(jsonToBinPackage(encodeJsonPackage(pkg)))).toEqual(plain(pkg));
      }),
      fuzzOptions(200),
    );
  });

  it('json: CONFIG and STATE packages round-trip with hex data', () => {
    fc.assert(
      fc.property(binPackageArb.filter((p) => p.type !== 0), (pkg) => {
        expect(plain(jsonToBinPackage(encodeJsonPackage(pkg)))).toEqual(plain(pkg));
      }),
      fuzzOptions(200),
    );
  });
});
