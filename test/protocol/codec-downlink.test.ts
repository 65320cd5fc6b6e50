import { describe, expect, it } from 'vitest';
import { deriveDeviceKey, signDigest } from '../../devices/index.ts';
import { ALL_DATA_CHANNELS, DataChannel, RegistrationStatus, compareVersions, confirmDigest, confirmMessage, decodeConfirmPackage, decodeSensorConfig, decodeStatusPackage, encodeConfirmPackage, encodeSensorConfig, encodeStatusPackage, maskSensorData, ownerBytes, type SensorConfig } from '../../protocol/index.ts';
import { p256 } from '@noble/curves/nist.js';

const OWNER = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SensorConfig codec', () => {
  it('behavior: round-trips every field with the firmware field numbers', () => {
    const config: SensorConfig = {
      bulkUpload: 1,
      dataChannel: ALL_DATA_CHANNELS,
      uploadPeriod: 300,
      bulkUploadSamplingCnt: 20,
      bulkUploadSamplingFreq: 5,
      beep: 1000,
      firmware: '1.2.3',
      deviceConfigurable: true,
    };
    const bytes = encodeSensorConfig(config);
    expect(hex(bytes.subarray(0, 2))).toBe('0801'); // field 1 varint 1
    expect(decodeSensorConfig(bytes)).toEqual(config);
    expect(decodeSensorConfig(encodeSensorConfig({ uploadPeriod: 10 }))).toEqual({ uploadPeriod: 10 });
  });

  it('error: wrong wire types, truncation and a zero upload period are CODEC_DECODE_FAILED', () => {
    expect(() => decodeSensorConfig(Uint8Array.of(0x1a, 0x01, 0x00))).toThrow(
      'cannot decode SensorConfig: wrong wire type 2 (len) for field 3 (uploadPeriod), expected 0 (varint)',
    );
    expect(() => decodeSensorConfig(Uint8Array.of(0x18))).toThrow('cannot decode SensorConfig: truncated varint at byte 1');
    expect(() => decodeSensorConfig(Uint8Array.of(0x18, 0x00))).toThrow(expect.objectContaining({ code: 'CODEC_DECODE_FAILED' }));
    expect(() => encodeSensorConfig({ uploadPeriod: -1 })).toThrow('cannot encode SensorConfig: field 3 (uploadPeriod) must be an integer in [0, 4294967295], got -1');
  });
});

describe('data channel mask', () => {
  it('behavior: keeps exactly the selected fields (a channel needs all its bits), random always', () => {
    const data = { snr: 1, vbat: 2, latitude: 3, longitude: 4, gasResistance: 5, temperature: 6, pressure: 7, humidity: 8, light: 9, temperature2: 10, gyroscope: [1], accelerometer: [2], random: 'AB' };
    expect(maskSensorData(data, ALL_DATA_CHANNELS)).toBe(data);
    expect(Object.entries(maskSensorData(data, DataChannel.GPS | DataChannel.TEMP)).filter(([, v]) => v !== undefined)).toEqual([
      ['latitude', 3],
      ['longitude', 4],
      ['temperature', 6],
      ['random', 'AB'],
    ]);
  });
});

describe('ConfirmPackage codec', () => {
  const key = deriveDeviceKey('confirm', 0);
  const owner = ownerBytes(OWNER);
  const timestamp = 1_750_000_000;
  const signature = signDigest(key, confirmDigest(owner, timestamp));

  it('behavior: round-trips; the signature covers owner ‖ uint32 BE timestamp under the device key', () => {
    const bytes = encodeConfirmPackage({ owner, timestamp, signature, channel: 0x17f7 });
    expect(bytes[0]).toBe(0x0a); // field 1, len
    expect(bytes[1]).toBe(20);
    const decoded = decodeConfirmPackage(bytes);
    expect(decoded).toEqual({ owner, timestamp, signature, channel: 0x17f7 });
    expect(hex(confirmMessage(owner, timestamp))).toBe(`${OWNER.slice(2).toLowerCase()}684ee180`);
    expect(p256.verify(decoded.signature, confirmDigest(decoded.owner, decoded.timestamp), key.publicKey)).toBe(true);
    expect(p256.verify(decoded.signature, confirmDigest(decoded.owner, decoded.timestamp + 1), key.publicKey)).toBe(false);
  });

  it('error: missing fields, bad lengths and bad owners', () => {
    const bytes = encodeConfirmPackage({ owner, timestamp, signature, channel: 1 });
    expect(() => decodeConfirmPackage(bytes.subarray(0, bytes.length - 2))).toThrow('cannot decode ConfirmPackage: missing required field 4 (channel)');
    expect(() => encodeConfirmPackage({ owner: owner.subarray(1), timestamp, signature, channel: 1 })).toThrow(
      'cannot encode ConfirmPackage: field 1 (owner) must be 20 bytes, got 19; pass the address bytes, not hex',
    );
    expect(() => ownerBytes('0x1234')).toThrow('owner must be a 0x-prefixed 20-byte hex address, got "0x1234"');
    const short = Uint8Array.from([...bytes.subarray(0, 22), 0x10, 0x01, 0x1a, 0x01, 0x00, 0x20, 0x01]);
    expect(() => decodeConfirmPackage(short)).toThrow('cannot decode ConfirmPackage: signature is 1 bytes, expected 64 (r‖s)');
  });
});

describe('StatusPackage codec', () => {
  it('behavior: JSON with the firmware names (status, proposer, firmware, version, uri) plus size; unknown keys ignored', () => {
    const pkg = { status: RegistrationStatus.PROPOSED, proposer: OWNER, firmware: 'pebble', version: '1.1.0', uri: 'http://fw', size: 1024 };
    expect(decodeStatusPackage(encodeStatusPackage(pkg))).toEqual(pkg);
    expect(decodeStatusPackage(new TextEncoder().encode('{"status":2,"extra":true}'))).toEqual({ status: 2 });
  });

  it('error: not JSON, bad status, bad size', () => {
    expect(() => decodeStatusPackage(Uint8Array.of(0xff))).toThrow('cannot decode StatusPackage: not a UTF-8 JSON object');
    expect(() => decodeStatusPackage(new TextEncoder().encode('[]'))).toThrow('cannot decode StatusPackage: not a JSON object');
    expect(() => decodeStatusPackage(new TextEncoder().encode('{"status":2,"size":-1}'))).toThrow(
      'cannot decode StatusPackage: size must be a whole number of bytes, got -1',
    );
    expect(() => encodeStatusPackage({ status: 7 as never })).toThrow('cannot encode StatusPackage: status must be one of 0, 1, 2, 3, got 7');
  });

  it('behavior: versions compare numerically by dotted part', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.9', '1')).toBe(-1);
  });
});
