import type { StateMachine } from '@xstate/fsm';
import { uniform } from '../random.ts';
import { backoffDelayMs } from './backoff.ts';
import { msUntilCharge } from './battery.ts';
import { handleDownlink } from './downlink.ts';
import type { TrackerActionName, TrackerEvent, TrackerMachineContext } from './machine.ts';
import { cancelTimer, reasonOf, schedule, send, sendSoon, type TrackerRuntime } from './runtime.ts';
import { dropLink, drainBurst, keepReading, publishReading, startSampling, stopDraining, stopSampling, takeReading } from './uploads.ts';

function register(ctx: TrackerRuntime): void {
  const { id } = ctx.spec;
  if (ctx.confirmMode) {
    // "Am I registered?" on the query topic, as the firmware asks once subscribed. A backend that
    // sees subscriptions (the embedded broker) has proposed an owner already and ignores it; one
    // that is a client of a team's broker learns of the device only this way.
    ctx.link?.publish(ctx.options.topics.query(id), new Uint8Array(0), 1).catch((error: unknown) => ctx.deps.events.publishFailed(id, `query: ${reasonOf(error)}`));
    // The backend drives the exchange on backend/<id>/status (downlink.ts); silence is a failure.
    const waitMs = ctx.options.registrationTimeoutMs;
    ctx.timer = ctx.deps.clock.schedule(waitMs, () => {
      ctx.timer = undefined;
      ctx.deps.events.registrationFailed?.(id, `no registration status within ${waitMs} ms`);
      send(ctx, 'registration.failed');
    });
    return;
  }
  // Through a promise even if the registrar answers synchronously: actions must never send re-entrantly.
  Promise.resolve()
    .then(() => ctx.deps.registrar.register(ctx.spec))
    .then(
      () => {
        if (ctx.service.state.value === 'registering') send(ctx, 'registration.confirmed');
      },
      (error: unknown) => {
        if (ctx.service.state.value !== 'registering') return;
        ctx.deps.events.registrationFailed?.(id, reasonOf(error));
        send(ctx, 'registration.failed');
      },
    );
}

function connect(ctx: TrackerRuntime): void {
  const token = ++ctx.attemptToken;
  const current = (): boolean => token === ctx.attemptToken && ctx.service.state.value === 'connecting';
  const fail = (why: string): void => {
    ctx.logger.debug(`device ${ctx.spec.id}: connect failed: ${why}`);
    send(ctx, 'connection.failed');
  };
  schedule(ctx, ctx.options.connectTimeoutMs, 'connection.failed');
  const { id, password } = ctx.spec;
  Promise.resolve()
    .then(() => {
      if (ctx.deps.clock.nowMs() < ctx.outageUntilMs) throw new Error('network outage');
      return ctx.deps.connector.connect({ clientId: id, username: id, password });
    })
    .then(
      async (link) => {
        let closed = false;
        // The backend may answer the subscription at once (an owner proposal): messages that
        // arrive before the link is adopted wait for it instead of being dropped as strays.
        let early: Array<[string, Uint8Array]> | undefined = [];
        link.onClose(() => {
          closed = true;
          if (ctx.link !== link) return;
          ctx.link = undefined;
          send(ctx, 'connection.lost');
        });
        link.onMessage((topic, payload) => {
          if (early !== undefined) early.push([topic, payload]);
          else handleDownlink(ctx, link, topic, payload);
        });
        try {
          if (current()) for (const filter of ctx.options.topics.downlinkFilters(id)) await link.subscribe(filter);
        } catch (error) {
          if (current()) fail(`subscribe: ${reasonOf(error)}`);
        }
        const held = early;
        early = undefined;
        if (!current()) {
          // A stray link from an attempt that timed out or was stopped: close it, nobody waits on it.
          if (!closed) await link.end().catch((error: unknown) => ctx.logger.debug(`device ${id}: closing a stray link failed: ${reasonOf(error)}`));
          return;
        }
        if (closed) return fail('connection closed while subscribing');
        ctx.link = link;
        send(ctx, 'connection.opened');
        for (const [topic, payload] of held) handleDownlink(ctx, link, topic, payload);
      },
      (error: unknown) => {
        if (current()) fail(reasonOf(error));
      },
    );
}

function goOnline(ctx: TrackerRuntime): void {
  ctx.attempt = 0;
  startSampling(ctx);
  if (ctx.buffer.size > 0) {
    ctx.draining = true;
    drainBurst(ctx);
  }
}

/** At each point of the upload grid while online: maybe a forced outage, else publish (or queue behind the backlog). */
function upload(ctx: TrackerRuntime): void {
  const outageMs = ctx.behaviour.outageMs?.(ctx.deps.clock.nowMs(), ctx.behaviourRandom);
  const reading = takeReading(ctx);
  if (outageMs !== undefined && outageMs > 0) {
    ctx.outageUntilMs = ctx.deps.clock.nowMs() + outageMs;
    keepReading(ctx, reading);
    dropLink(ctx);
    sendSoon(ctx, 'connection.lost');
    return;
  }
  if (ctx.draining || ctx.link === undefined) keepReading(ctx, reading);
  else publishReading(ctx, reading);
}

function startUpdate(ctx: TrackerRuntime): void {
  // The firmware stops MQTT before the OTA download (stopTaskBeforeOTA).
  dropLink(ctx);
  stopSampling(ctx);
  const size = ctx.offer?.size ?? 0;
  schedule(ctx, Math.round((size / ctx.options.firmwareDownloadBytesPerS) * 1000), 'update.done');
}

function installFirmware(ctx: TrackerRuntime): void {
  if (ctx.offer === undefined) return;
  ctx.firmwareVersion = ctx.offer.version;
  ctx.offer = undefined;
  ctx.deps.events.firmwareUpdated?.(ctx.spec.id, ctx.firmwareVersion);
}

/** Powered down by the device itself: no link, no sampling, no pending connect. */
function quiesce(ctx: TrackerRuntime): void {
  ctx.attemptToken++;
  stopDraining(ctx);
  stopSampling(ctx);
  dropLink(ctx);
}

function sleep(ctx: TrackerRuntime): void {
  quiesce(ctx);
  if (ctx.battery === undefined) return;
  const ms = msUntilCharge(ctx.battery, 'sleeping', 0);
  if (Number.isFinite(ms)) schedule(ctx, ms, 'battery.empty');
}

function shutdown(ctx: TrackerRuntime): void {
  cancelTimer(ctx);
  if (ctx.faultTimer !== undefined) ctx.deps.clock.cancel(ctx.faultTimer);
  ctx.faultTimer = undefined;
  stopDraining(ctx);
  stopSampling(ctx);
  ctx.attemptToken++;
  const link = ctx.link;
  ctx.link = undefined;
  ctx.stopped = link === undefined ? Promise.resolve() : link.end();
}

type Action = StateMachine.ActionFunction<TrackerMachineContext, TrackerEvent>;
const on = (fn: (ctx: TrackerRuntime) => void): Action => (context) => fn(context as TrackerRuntime);

/** The implementations of the machine's named actions. */
export const trackerActions: Record<TrackerActionName, Action> = {
  boot: on((ctx) => schedule(ctx, Math.round(uniform(ctx.deps.random, ctx.options.boot.minMs, ctx.options.boot.maxMs)), 'boot.done')),
  register: on(register),
  markRegistered: on((ctx) => {
    ctx.registered = true;
  }),
  connect: on(connect),
  goOnline: on(goOnline),
  leaveOnline: on((ctx) => {
    cancelTimer(ctx);
    stopDraining(ctx);
  }),
  upload: on(upload),
  bufferReading: on((ctx) => keepReading(ctx, takeReading(ctx))),
  waitBackoff: on((ctx) => {
    dropLink(ctx);
    schedule(ctx, backoffDelayMs(ctx.options.backoff, ++ctx.attempt, ctx.deps.random), 'backoff.elapsed');
  }),
  startSampling: on(startSampling),
  cancelTimer: on(cancelTimer),
  startUpdate: on(startUpdate),
  installFirmware: on(installFirmware),
  sleep: on(sleep),
  die: on((ctx) => {
    cancelTimer(ctx);
    quiesce(ctx);
  }),
  // Switched off by hand (power.cut): like sleep, nothing runs; the buffer and registration stay.
  powerDown: on((ctx) => {
    cancelTimer(ctx);
    quiesce(ctx);
    ctx.attempt = 0;
  }),
  shutdown: on(shutdown),
};
