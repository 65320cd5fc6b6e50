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

/**
 * What a rejection refused: a `message` (a publish the broker read and handed over, judged by
 * the ingest), a `subscribe`, or a `connection` the broker closed on a packet it would not read
 * (too large) or that broke MQTT. Only messages are "received": a refused subscribe or a closed
 * connection carries no reading, so counting them with readings mixes populations.
 */
export type RejectionKind = 'message' | 'subscribe' | 'connection';

const NOT_MESSAGES: Readonly<Partial<Record<RejectionReason, RejectionKind>>> = {
  'acl.subscribe': 'subscribe',
  'payload.too-large': 'connection',
  'protocol.violation': 'connection',
};

export function rejectionKind(reason: string): RejectionKind {
  return NOT_MESSAGES[reason as RejectionReason] ?? 'message';
}

/** The reasons that are not messages (`rejectionKind` other than `message`), for SQL over run.db's rejections. */
export const NON_MESSAGE_REASONS: readonly RejectionReason[] = Object.keys(NOT_MESSAGES) as RejectionReason[];
