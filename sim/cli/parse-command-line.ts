import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PinbenchError } from '../../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with positionals, for every pinbench command: its own errors (an unknown
 * flag, a missing value) become CLI_ARGS_INVALID with `hint` saying where the options are listed.
 */
export function parseCommandLine<const T extends Options>(argv: string[], options: T, hint: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (cause) {
    throw new PinbenchError('CLI_ARGS_INVALID', `${(cause as Error).message}; ${hint}`, { cause });
  }
}
