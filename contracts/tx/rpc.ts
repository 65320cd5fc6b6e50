import { isError } from 'ethers';
import type { SenderContext } from './context.ts';
import { withTimeout } from './timeout.ts';

export function rpc(ctx: SenderContext, method: string, params: unknown[]): Promise<unknown> {
  return withTimeout(ctx.provider.send(method, params), ctx.config.requestTimeoutMs, method);
}

/** The node's own message inside an ethers error, where ethers keeps it. */
export function nodeMessage(error: unknown): string | undefined {
  const e = error as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } } | null;
  const message = e?.info?.error?.message ?? e?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

/** One line for messages: the node's words where ethers would only say "could not coalesce error". */
export function errorText(error: unknown): string {
  if (error === undefined) return 'unknown error';
  if (!(error instanceof Error)) return String(error);
  if (isError(error, 'UNKNOWN_ERROR') || isError(error, 'NONCE_EXPIRED') || isError(error, 'REPLACEMENT_UNDERPRICED') || isError(error, 'INSUFFICIENT_FUNDS')) {
    const node = nodeMessage(error);
    if (node) return node;
  }
  const short = (error as { shortMessage?: string }).shortMessage;
  return short ?? error.message.split('\n')[0];
}
