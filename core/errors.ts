import type { ErrorCode } from './error-codes.ts';

/**
 * The one error base class of pinbench. Every error has a stable `code` (part of the API:
 * scripts and tests match on it; core/error-codes.ts lists them all), a short message that
 * says what was wrong and what to do next, optional structured `details`, and the underlying
 * `cause` when there is one.
 */
export class PinbenchError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PinbenchError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isPinbenchError(value: unknown, code?: ErrorCode): value is PinbenchError {
  return value instanceof PinbenchError && (code === undefined || value.code === code);
}
