import { decodeBinPackage, decodeSensorData } from '../../protocol/index.ts';
import type { IngestCodec } from './ingest.ts';

/** The ingest reads the Pebble v2 wire format with the same codec the virtual trackers use. */
export const pebbleIngestCodec: IngestCodec = {
  decodePackage: (bytes) => decodeBinPackage(bytes),
  decodeSensorData: (bytes) => decodeSensorData(bytes),
};
