import { encodeBinPackage, type BinPackage } from '../../protocol/codec/bin-package.ts';
import { jsonToBinPackage } from '../../protocol/codec/json-package.ts';
import { decodeSensorData } from '../../protocol/codec/sensor-data.ts';
import type { IngestCodec } from './ingest.ts';

/**
 * The ingest for scenario `codec: json` (docs/codec-json.md): a reading arrives as the JSON form
 * of a BinPackage, whose `data` is rebuilt into the canonical SensorData bytes the signature was
 * made over. run.db keeps the package in that protobuf form, so the epoch summary and anyone
 * re-checking signatures read one format whatever the codec; its digest stays the digest of the
 * JSON as published, for the accounting of every publish.
 */
export const jsonIngestCodec: IngestCodec = {
  decodePackage: (bytes) => jsonToBinPackage(bytes),
  decodeSensorData: (bytes) => decodeSensorData(bytes),
  // The fields came from jsonToBinPackage, so `type` is a PackageType.
  storedPackage: (pkg) => encodeBinPackage(pkg as BinPackage),
};
