/**
 * The one error base class of pinbench. Every error has a stable `code` (part of the API:
 * scripts and tests match on it), a short message that says what was wrong and what to do
 * next, optional structured `details`, and the underlying `cause` when there is one.
 */
export class PinbenchError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PinbenchError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isPinbenchError(value: unknown, code?: string): value is PinbenchError {
  return value instanceof PinbenchError && (code === undefined || value.code === code);
}
