import { describe, expect, it } from 'vitest';
import { isPinbenchError } from '../../core/errors.ts';
import { buildFleet, buildReading, createSensorModel, createStreetGridMotion, seededRandom } from '../../devices/index.ts';
import { createVerifier, decodeBinPackage, type CurveName } from '../../protocol/index.ts';

/** True when the bytes decode to a package whose signature verifies. */
function accepted(verify: ReturnType<typeof createVerifier>, bytes: Uint8Array): boolean {
  try {
    return verify.verifyPackage(decodeBinPackage(bytes));
  } catch (error) {
    if (isPinbenchError(error, 'CODEC_DECODE_FAILED')) return false;
    throw error;
  }
}

describe.each(['p256', 'secp256k1'] as CurveName[])('tampering on %s', (curve) => {
  it('behavior: flipping any bit, or all bits, of any data, timestamp or signature byte fails verification', () => {
    const [device] = buildFleet({ seed: 'tamper', count: 1, uploadPeriodS: 10, curve });
    const t0 = Date.UTC(2025, 0, 1);
    const random = seededRandom('tamper', 'device', 0);
    const source = {
      key: device!,
      motion: createStreetGridMotion({ area: device!.area, profile: 'car', start: device!.start, startMs: t0, random }),
      sensors: createSensorModel(random, t0),
    };
    const { payload } = buildReading(source, t0 + 60_000);
    const verifier = createVerifier(device!.publicKey, curve);
    expect(accepted(verifier, payload)).toBe(true);

    const pkg = decodeBinPackage(payload);
    const dataStart = pkg.data.byteOffset - payload.byteOffset;
    const dataEnd = dataStart + pkg.data.length;
    const signatureStart = pkg.signature.byteOffset - payload.byteOffset;
    // Layout: … data ‖ 0x18 timestamp-varint ‖ 0x22 0x40 signature
    expect(payload[dataEnd]).toBe(0x18);
    expect(payload.subarray(signatureStart - 2, signatureStart)).toEqual(Uint8Array.from([0x22, 0x40]));
    const positions = [
      ...Array.from({ length: pkg.data.length }, (_, i) => dataStart + i),
      ...Array.from({ length: signatureStart - 2 - (dataEnd + 1) }, (_, i) => dataEnd + 1 + i),
      ...Array.from({ length: 64 }, (_, i) => signatureStart + i),
    ];
    expect(positions.length).toBe(pkg.data.length + 5 + 64); // a 2025 timestamp is a 5-byte varint

    let checked = 0;
    for (const position of positions) {
      for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
        const tampered = payload.slice();
        tampered[position]! ^= mask;
        if (accepted(verifier, tampered)) throw new Error(`byte ${position} ^ 0x${mask.toString(16)} still verifies`);
        checked++;
      }
    }
    expect(checked).toBe(positions.length * 9);
  });
});
