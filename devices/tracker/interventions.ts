import { AWAKE, send, sendSoon, type TrackerRuntime } from './runtime.ts';
import { dropLink } from './uploads.ts';

/**
 * What happens to a device from outside it, as a scenario's timeline makes it happen
 * (sim/timeline/): its connection dropped, its network cut for a while, its power switched off
 * and on. Each goes through the machine's own events, so the device reacts as the firmware does:
 * it backs off with its own jitter, buffers while offline and uploads its backlog once back.
 */

/** Online (or holding a link while registering): the link closes and the device sees a lost connection. */
export function dropConnection(ctx: TrackerRuntime): boolean {
  const state = ctx.service.state.value;
  if (ctx.link === undefined || (state !== 'online' && state !== 'registering')) return false;
  dropLink(ctx);
  sendSoon(ctx, 'connection.lost');
  return true;
}

/**
 * No network until `untilMs`: the link is cut, a connect under way fails, and every connect
 * fails until then (the same outage a flaky-network fault makes, actions.ts `connect`). True
 * when it had a connection to lose.
 */
export function cutNetwork(ctx: TrackerRuntime, untilMs: number): boolean {
  ctx.outageUntilMs = Math.max(ctx.outageUntilMs, untilMs);
  if (dropConnection(ctx)) return true;
  if (ctx.service.state.value === 'connecting') {
    // The attempt under way is abandoned: its answer, if one comes, is a stray link and is closed.
    ctx.attemptToken++;
    sendSoon(ctx, 'connection.failed');
  }
  return false;
}

/** Switched off: nothing runs until `powerOn`. False when it was not awake (off, asleep, dead, stopped). */
export function cutPower(ctx: TrackerRuntime): boolean {
  if (!AWAKE.has(ctx.service.state.value)) return false;
  send(ctx, 'power.cut');
  ctx.poweredOffByHand = ctx.service.state.value === 'off';
  return ctx.poweredOffByHand;
}

/** Boots a device that `cutPower` switched off. False otherwise (one the ramp has not started yet stays off). */
export function restorePower(ctx: TrackerRuntime): boolean {
  if (!ctx.poweredOffByHand || ctx.service.state.value !== 'off') return false;
  ctx.poweredOffByHand = false;
  send(ctx, 'power.on');
  return true;
}
