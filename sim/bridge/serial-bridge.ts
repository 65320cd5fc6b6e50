import type { Logger } from '../../core/ports.ts';
import type { DeviceCredentials } from '../attach/credentials-file.ts';
import { emptyBadCounts, type BridgeStats } from './bridge-stats.ts';
import { FixTracker } from './fix-tracker.ts';
import type { BridgeKey } from './key-file.ts';
import { connectUplink, type MqttUplink } from './mqtt-uplink.ts';
import { parseNmeaLine } from './nmea.ts';
import { buildBridgeReading } from './reading-builder.ts';
import { openSerialSource, type BackoffMs, type OpenPort, type SerialSource } from './serial-source.ts';

export interface SerialBridgeOptions {
  readonly portPath: string;
  readonly baudRate: number;
  readonly key: BridgeKey;
  readonly credentials: DeviceCredentials;
  readonly uploadPeriodMs: number;
  readonly logger: Logger;
  /** Wall clock for the readings' timestamps; default Date.now. */
  readonly nowMs?: () => number;
  /** The per-reading `random` field; default 8 bytes from the OS as hex. */
  readonly random?: () => string;
  readonly backoff?: BackoffMs;
  readonly openPort?: OpenPort;
  readonly queueCapacity?: number;
  readonly reconnectPeriodMs?: number;
}

export interface SerialBridge {
  stats(): BridgeStats;
  /** Stops reading, sends what is queued for up to `flushMs` (default 2 s), closes port and connection. */
  stop(flushMs?: number): Promise<BridgeStats>;
}

export const DEFAULT_FLUSH_MS = 2000;

/**
 * Serial NMEA → latest fix → one signed reading per upload period → MQTT. Starts only when the
 * port opens and the broker did not refuse the login; a broker that is merely unreachable is
 * waited for while readings queue.
 */
export async function startSerialBridge(options: SerialBridgeOptions): Promise<SerialBridge> {
  const { logger } = options;
  const nowMs = options.nowMs ?? Date.now;
  const fixes = new FixTracker();
  const bad = emptyBadCounts();
  let ok = 0;
  let ignored = 0;
  let ticks = 0;
  let noFix = 0;

  const onLine = (text: string) => {
    const line = parseNmeaLine(text);
    if (line.kind === 'bad') {
      bad[line.bad]++;
      logger.debug(`NMEA ${line.bad}: ${line.why}: ${JSON.stringify(text.slice(0, 100))}`);
      return;
    }
    if (line.kind === 'ignored') ignored++;
    else ok++;
    fixes.observe(line);
  };

  const source: SerialSource = await openSerialSource({
    path: options.portPath,
    baudRate: options.baudRate,
    onLine,
    onState: (state) => {
      if (state !== 'open') fixes.clear();
    },
    logger,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.openPort === undefined ? {} : { openPort: options.openPort }),
  });
  let uplink: MqttUplink;
  try {
    uplink = await connectUplink(options.credentials, {
      logger,
      ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
      ...(options.reconnectPeriodMs === undefined ? {} : { reconnectPeriodMs: options.reconnectPeriodMs }),
    });
  } catch (error) {
    await source.close();
    throw error;
  }

  const tick = () => {
    ticks++;
    const fix = fixes.take();
    if (fix === null) {
      noFix++;
      return;
    }
    const reading = buildBridgeReading(options.key, fix, Math.floor(nowMs() / 1000), options.random?.());
    uplink.send(reading.payload);
  };
  const timer = setInterval(tick, options.uploadPeriodMs);

  const stats = (): BridgeStats => ({
    sentences: { ok, ignored, bad: { ...bad } },
    fixes: fixes.fixes,
    ticks,
    noFix,
    readings: uplink.stats(),
    port: source.state,
    portLosses: source.losses,
  });

  let stopped: Promise<BridgeStats> | undefined;
  return {
    stats,
    stop(flushMs = DEFAULT_FLUSH_MS) {
      stopped ??= (async () => {
        clearInterval(timer);
        await source.close();
        await uplink.flush(flushMs);
        const final = stats();
        await uplink.close();
        return { ...final, readings: { ...final.readings, connected: false } };
      })();
      return stopped;
    },
  };
}
