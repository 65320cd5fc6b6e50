import { binPackageToJson } from '../../protocol/codec/json-package.ts';
import { batteryMillivolts, spendBattery } from './battery.ts';
import { buildReading, type Reading } from './reading.ts';
import { reasonOf, type TrackerRuntime } from './runtime.ts';
import type { HonestUpload } from './ports.ts';
import type { TrackerState } from './machine.ts';
import { send } from './runtime.ts';

/** States in which the upload grid keeps ticking: live uploads, or readings kept for later. */
const SAMPLING: ReadonlySet<TrackerState> = new Set(['online', 'buffering', 'connecting']);

export function samplePeriodMs(ctx: TrackerRuntime): number {
  const factor = ctx.behaviour.uploadRateFactor ?? 1;
  return (ctx.config.uploadPeriodS * 1000) / (Number.isFinite(factor) && factor > 0 ? factor : 1);
}

/**
 * The next point of this device's upload grid after `afterMs` (at or after it when not strict):
 * uploads keep their phase across reconnects.
 */
function gridSlotMs(ctx: TrackerRuntime, afterMs: number, strictlyAfter: boolean): number {
  const periodMs = samplePeriodMs(ctx);
  const k = (afterMs - ctx.uploadPhaseMs) / periodMs;
  return ctx.uploadPhaseMs + (strictlyAfter ? Math.floor(k) + 1 : Math.ceil(k)) * periodMs;
}

/**
 * Each slot follows from the previous slot, not from when the timer fired: a clock that fires a
 * timer a little early must not sample the same slot twice (same-second stamps read as replays).
 */
function scheduleSample(ctx: TrackerRuntime, slotMs: number): void {
  const now = ctx.deps.clock.nowMs();
  ctx.sampleTimer = ctx.deps.clock.schedule(Math.max(0, Math.round(slotMs - now)), () => {
    ctx.sampleTimer = undefined;
    if (!SAMPLING.has(ctx.service.state.value)) return;
    const next = gridSlotMs(ctx, Math.max(slotMs, ctx.deps.clock.nowMs()), true);
    scheduleSample(ctx, next);
    send(ctx, 'upload.due');
  });
}

/** Starts the upload grid unless it already runs. */
export function startSampling(ctx: TrackerRuntime): void {
  if (ctx.sampleTimer === undefined) scheduleSample(ctx, gridSlotMs(ctx, ctx.deps.clock.nowMs(), false));
}

export function stopSampling(ctx: TrackerRuntime): void {
  if (ctx.sampleTimer !== undefined) ctx.deps.clock.cancel(ctx.sampleTimer);
  ctx.sampleTimer = undefined;
}

/** After an upload-period change: the grid restarts at the new period. */
export function restartSampling(ctx: TrackerRuntime): void {
  if (ctx.sampleTimer === undefined) return;
  stopSampling(ctx);
  scheduleSample(ctx, gridSlotMs(ctx, ctx.deps.clock.nowMs(), true));
}

/** Samples now: the device clock (with any behaviour skew) stamps it, the data-channel mask and battery shape it. */
export function takeReading(ctx: TrackerRuntime): Reading {
  const now = ctx.deps.clock.nowMs();
  const battery = ctx.battery;
  if (battery !== undefined) spendBattery(battery, battery.options.sampleMah);
  return buildReading(ctx.source, now, {
    stampMs: now + (ctx.behaviour.clockOffsetMs?.(now) ?? 0),
    dataChannel: ctx.config.dataChannel,
    vbatMv: battery === undefined ? undefined : batteryMillivolts(battery),
  });
}

/** Keeps a reading for later; the oldest goes when the buffer is full (or all, with bulk upload off). */
export function keepReading(ctx: TrackerRuntime, reading: Reading): void {
  const dropped = ctx.config.bulkUpload ? ctx.buffer.push(reading) : 1;
  if (dropped > 0) ctx.deps.events.bufferDropped?.(ctx.spec.id, dropped);
}

const OPEN_BRACE = 0x7b;

/**
 * A planned package in the JSON form (codec `json`, docs/codec-json.md). Readings and behaviours
 * work with BinPackage bytes; this is the last step before they go out. Bytes already in the JSON
 * form (a replayer re-sending what it sniffed off the wire) and bytes that are no BinPackage (a
 * deliberately broken one) go out as they are: what the backend gets is what the behaviour meant.
 */
function inJsonForm(payload: Uint8Array): Uint8Array {
  if (payload[0] === OPEN_BRACE) return payload;
  try {
    return binPackageToJson(payload);
  } catch {
    return payload;
  }
}

/**
 * Publishes a reading as the behaviour plans it (honest: as is), each message QoS 1 and reported
 * on PUBACK, in the device's codec: the bytes reported as published are the bytes sent.
 */
export function publishReading(ctx: TrackerRuntime, reading: Reading): void {
  const link = ctx.link;
  if (link === undefined) return;
  const { id } = ctx.spec;
  const honest: HonestUpload = { topic: ctx.dataTopic, payload: reading.payload, timestampS: reading.timestampS, reading };
  const planned = ctx.behaviour.onUpload?.(honest, { nowMs: ctx.deps.clock.nowMs(), random: ctx.behaviourRandom, deviceId: id }) ?? [honest];
  const json = ctx.options.codec === 'json';
  for (const p of planned) {
    const { topic, timestampS } = p;
    const payload = json ? inJsonForm(p.payload) : p.payload;
    if (ctx.battery !== undefined) spendBattery(ctx.battery, ctx.battery.options.publishMah);
    link.publish(topic, payload, 1).then(
      () => ctx.deps.events.published(id, topic, payload, timestampS),
      (error: unknown) => ctx.deps.events.publishFailed(id, reasonOf(error)),
    );
  }
}

/** Closes the link without reporting a loss (the device chose to). */
export function dropLink(ctx: TrackerRuntime): void {
  const link = ctx.link;
  ctx.link = undefined;
  link?.end().catch((error: unknown) => ctx.logger.debug(`device ${ctx.spec.id}: closing the link failed: ${reasonOf(error)}`));
}

/** One bulk-upload burst of the backlog, oldest first; then the next after a pause, until it is empty. */
export function drainBurst(ctx: TrackerRuntime): void {
  ctx.bulkTimer = undefined;
  if (ctx.link === undefined || ctx.service.state.value !== 'online') return;
  for (let i = 0; i < ctx.config.burstSize && ctx.buffer.size > 0; i++) publishReading(ctx, ctx.buffer.shift()!);
  if (ctx.buffer.size > 0) ctx.bulkTimer = ctx.deps.clock.schedule(ctx.config.pauseMs, () => drainBurst(ctx));
  else ctx.draining = false;
}

export function stopDraining(ctx: TrackerRuntime): void {
  if (ctx.bulkTimer !== undefined) ctx.deps.clock.cancel(ctx.bulkTimer);
  ctx.bulkTimer = undefined;
  ctx.draining = false;
}
