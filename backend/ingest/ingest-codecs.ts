import type { PayloadCodecName } from '../../protocol/codec/payload-codecs.ts';
import type { IngestCodec } from './ingest.ts';
import { jsonIngestCodec } from './json-codec.ts';
import { pebbleIngestCodec } from './pebble-codec.ts';

const CODECS: Readonly<Record<PayloadCodecName, IngestCodec>> = { 'pebble-v2': pebbleIngestCodec, json: jsonIngestCodec };

/** The ingest codec of a scenario's `codec:` setting. */
export function ingestCodecFor(name: PayloadCodecName): IngestCodec {
  return CODECS[name];
}
