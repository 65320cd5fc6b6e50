import type { SenderContext } from './context.ts';
import { errorText } from './rpc.ts';

/** Node.js and undici codes for "nothing answers at that address" or "the connection died". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const UNREACHABLE_TEXT = /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|other side closed/i;

/**
 * Whether an error says the node is not there at all (stopped, restarting), as opposed to a
 * node that answered badly or slowly. A restarting node is waited for (`maxOutageMs`), not
 * counted against the attempts a transaction gets: a chain restart must not burn nonces.
 */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (typeof e?.cause?.code === 'string' && UNREACHABLE_CODES.has(e.cause.code)) return true;
  return error instanceof Error && UNREACHABLE_TEXT.test(error.message);
}

/**
 * Notes a failed request. Returns true when it was an unreachable node and the outage is still
 * within `maxOutageMs`: the caller then waits and tries again without counting the failure.
 */
export function withinOutage(ctx: SenderContext, error: unknown): boolean {
  if (!isUnreachable(error)) return false;
  const now = ctx.clock.nowMs();
  if (ctx.outageSinceMs === undefined) {
    ctx.outageSinceMs = now;
    ctx.counters.outages++;
    ctx.logger.warn(`tx: the node is unreachable (${errorText(error)}); waiting up to ${Math.round(ctx.config.maxOutageMs / 1000)} s for it to come back`);
  }
  return now - ctx.outageSinceMs < ctx.config.maxOutageMs;
}

/** A request got an answer: an outage in progress is over. */
export function nodeAnswered(ctx: SenderContext): void {
  if (ctx.outageSinceMs === undefined) return;
  ctx.logger.info(`tx: the node answers again after ${((ctx.clock.nowMs() - ctx.outageSinceMs) / 1000).toFixed(1)} s`);
  ctx.outageSinceMs = undefined;
}
