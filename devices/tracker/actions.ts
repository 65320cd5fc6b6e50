import type { StateMachine } from '@xstate/fsm';
import { uniform } from '../random.ts';
import { backoffDelayMs } from './backoff.ts';
import type { TrackerActionName, TrackerEvent, TrackerMachineContext } from './machine.ts';
import { buildReading } from './reading.ts';
import { cancelTimer, reasonOf, schedule, send, type TrackerRuntime } from './runtime.ts';

function register(ctx: TrackerRuntime): void {
  // Through a promise even if the registrar answers synchronously: actions must never send re-entrantly.
  Promise.resolve()
    .then(() => ctx.deps.registrar.register(ctx.spec))
    .then(
      () => {
        if (ctx.service.state.value === 'registering') send(ctx, 'registration.confirmed');
      },
      (error: unknown) => {
        if (ctx.service.state.value !== 'registering') return;
        ctx.deps.events.registrationFailed?.(ctx.spec.id, reasonOf(error));
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
    .then(() => ctx.deps.connector.connect({ clientId: id, username: id, password }))
    .then(
      async (link) => {
        let closed = false;
        link.onClose(() => {
          closed = true;
          if (ctx.link !== link) return;
          ctx.link = undefined;
          send(ctx, 'connection.lost');
        });
        link.onMessage((topic, payload) => ctx.deps.events.received?.(id, topic, payload));
        try {
          if (current()) await link.subscribe(`backend/${id}/#`);
        } catch (error) {
          if (current()) fail(`subscribe: ${reasonOf(error)}`);
        }
        if (!current()) {
          // A stray link from an attempt that timed out or was stopped: close it, nobody waits on it.
          if (!closed) await link.end().catch((error: unknown) => ctx.logger.debug(`device ${id}: closing a stray link failed: ${reasonOf(error)}`));
          return;
        }
        if (closed) return fail('connection closed while subscribing');
        ctx.link = link;
        send(ctx, 'connection.opened');
      },
      (error: unknown) => {
        if (current()) fail(reasonOf(error));
      },
    );
}

/** The next point of this device's upload grid: uploads keep their phase across reconnects. */
function nextUploadDelayMs(ctx: TrackerRuntime): number {
  const now = ctx.deps.clock.nowMs();
  const periodMs = ctx.spec.uploadPeriodS * 1000;
  const slot = ctx.uploadPhaseMs + Math.ceil((now - ctx.uploadPhaseMs) / periodMs) * periodMs;
  return slot - now;
}

function upload(ctx: TrackerRuntime): void {
  schedule(ctx, ctx.spec.uploadPeriodS * 1000, 'upload.due');
  const link = ctx.link;
  if (link === undefined) return;
  const { id } = ctx.spec;
  const reading = buildReading(ctx.source, ctx.deps.clock.nowMs());
  link.publish(ctx.dataTopic, reading.payload, 1).then(
    () => ctx.deps.events.published(id, ctx.dataTopic, reading.payload, reading.timestampS),
    (error: unknown) => ctx.deps.events.publishFailed(id, reasonOf(error)),
  );
}

function shutdown(ctx: TrackerRuntime): void {
  cancelTimer(ctx);
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
  goOnline: on((ctx) => {
    ctx.attempt = 0;
    schedule(ctx, nextUploadDelayMs(ctx), 'upload.due');
  }),
  upload: on(upload),
  waitBackoff: on((ctx) => schedule(ctx, backoffDelayMs(ctx.options.backoff, ++ctx.attempt, ctx.deps.random), 'backoff.elapsed')),
  cancelTimer: on(cancelTimer),
  shutdown: on(shutdown),
};
