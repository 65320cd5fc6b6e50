/**
 * Why a message was refused. These strings are stable: they are counter names in the
 * report and `rejections.reason` in run.db.
 */
export const REJECTION_REASONS = {
  'acl.publish': 'published on a topic the device may not use',
  'acl.subscribe': 'subscribed to a topic the device may not read',
  'topic.unsupported': 'published on a device topic the ingest does not handle',
  'payload.too-large': 'packet larger than the broker cap (refused before it was read; connection closed)',
  'protocol.violation': 'broke MQTT (e.g. a PUBLISH to a wildcard topic, a malformed packet); the broker closed the connection',
  decode: 'not a valid Pebble BinPackage / SensorData',
  type: 'BinPackage type is not DATA',
  signature: 'signature does not verify against the registered key',
  'timestamp.skew': 'timestamp too far from the backend clock',
  'timestamp.outside-run': 'timestamp outside every epoch of the run',
  'epoch.closed': 'arrived after its epoch was closed',
  replay: 'timestamp not newer than the last accepted reading of the device',
  range: 'latitude or longitude out of range',
  'position.missing': 'reading without a GPS position (no fix)',
  'confirm.decode': 'registration confirm is not a valid Pebble ConfirmPackage',
  'confirm.unexpected': 'registration confirm without an open owner proposal (unsolicited, or a replay of a used one)',
  'confirm.owner': 'registration confirm is for another owner than the one proposed',
  'confirm.timestamp': 'registration confirm timestamp older than its proposal or too far from the backend clock',
  'confirm.signature': 'registration confirm signature does not verify against the device key',
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;
