/**
 * How a reading travels on the data topic (scenario `codec:`): `pebble-v2`, the firmware's
 * protobuf `BinPackage`, or `json`, the documented JSON form of the same fields
 * (docs/codec-json.md, protocol/codec/json-package.ts). Either way the signature is over the
 * same bytes. Only the data uplink differs: confirms and downlinks keep their one format.
 */
export const PAYLOAD_CODECS = ['pebble-v2', 'json'] as const;
export type PayloadCodecName = (typeof PAYLOAD_CODECS)[number];
export const DEFAULT_PAYLOAD_CODEC: PayloadCodecName = 'pebble-v2';

export function isPayloadCodecName(value: unknown): value is PayloadCodecName {
  return value === 'pebble-v2' || value === 'json';
}
