/**
 * How a message a team's backend publishes back (an acknowledgement, a result) is matched to the
 * reading it answers, for `--observe`. The device is named by a topic level that is one of the
 * fleet's device ids (e.g. `ack/<IMEI>`), or by a JSON payload field `deviceId`, `device` or
 * `imei`. The reading is named by a JSON field `digest` (the hex payload digest pinbench stores),
 * else `timestamp` (the reading's timestamp, s); without either, it is the device's oldest reading
 * not answered yet (MQTT keeps one connection's order, so a backend answering in order matches).
 */
export interface ResponseKey {
  readonly deviceId: string;
  readonly digestHex?: string;
  readonly timestampS?: number;
}

const DEVICE_FIELDS = ['deviceId', 'device', 'imei'] as const;

function jsonObject(payload: Uint8Array): Record<string, unknown> | undefined {
  // Only what looks like an object is parsed: most acknowledgements are short, opaque or JSON.
  if (payload.length < 2 || payload[0] !== 0x7b) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The reading a response answers, or undefined when it names no device of the fleet. */
export function matchResponse(topic: string, payload: Uint8Array, deviceIds: ReadonlySet<string>): ResponseKey | undefined {
  const json = jsonObject(payload);
  let deviceId = topic.split('/').find((level) => deviceIds.has(level));
  if (deviceId === undefined && json !== undefined) {
    for (const field of DEVICE_FIELDS) {
      const value = json[field];
      if (typeof value === 'string' && deviceIds.has(value)) {
        deviceId = value;
        break;
      }
    }
  }
  if (deviceId === undefined) return undefined;
  const digest = json?.digest;
  if (typeof digest === 'string' && /^[0-9a-fA-F]{64}$/.test(digest)) return { deviceId, digestHex: digest.toLowerCase() };
  const timestamp = json?.timestamp;
  if (typeof timestamp === 'number' && Number.isInteger(timestamp)) return { deviceId, timestampS: timestamp };
  return { deviceId };
}

/** Whether an answer named `key` is one for this reading. */
function answers(key: ResponseKey, reading: { digestHex: string; timestampS: number }): boolean {
  if (key.digestHex !== undefined) return key.digestHex === reading.digestHex;
  if (key.timestampS !== undefined) return key.timestampS === reading.timestampS;
  return true;
}

/**
 * Readings and answers per device, paired in whichever order they come: the team's backend may
 * answer before the bench has handled the device's PUBACK (or before the fleet process has
 * reported it). Both sides are bounded, so a silent backend or a stray answer costs no memory.
 */
export class ReadingAnswers {
  private readonly readings = new Map<string, Array<{ digestHex: string; timestampS: number; sentMs: number }>>();
  private readonly early = new Map<string, Array<{ key: ResponseKey; atMs: number }>>();

  constructor(
    private readonly record: (latencyMs: number) => void,
    private readonly maxPerDevice = 4096,
  ) {}

  /** A reading left: pairs it with an answer that came first, if one did. */
  reading(deviceId: string, digestHex: string, timestampS: number, sentMs: number): void {
    const waiting = this.early.get(deviceId);
    const at = waiting?.findIndex((answer) => answers(answer.key, { digestHex, timestampS })) ?? -1;
    if (at >= 0) {
      const [answer] = waiting!.splice(at, 1);
      this.record(answer!.atMs - sentMs);
      return;
    }
    bounded(this.readings, deviceId, { digestHex, timestampS, sentMs }, this.maxPerDevice);
  }

  /** An answer came: pairs it with its reading now, or keeps it for the reading; true when paired now. */
  answer(key: ResponseKey, atMs: number): boolean {
    const queue = this.readings.get(key.deviceId);
    const at = queue?.findIndex((reading) => answers(key, reading)) ?? -1;
    if (at >= 0) {
      const [reading] = queue!.splice(at, 1);
      this.record(atMs - reading!.sentMs);
      return true;
    }
    bounded(this.early, key.deviceId, { key, atMs }, this.maxPerDevice);
    return false;
  }
}

function bounded<T>(map: Map<string, T[]>, key: string, item: T, max: number): void {
  let queue = map.get(key);
  if (queue === undefined) map.set(key, (queue = []));
  queue.push(item);
  if (queue.length > max) queue.shift();
}
