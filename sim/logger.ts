import type { Logger } from '../core/ports.ts';

/** Progress lines with the seconds since the run started, on stderr (stdout carries the result). */
export function createConsoleLogger(options: { quiet: boolean; startMs: number; nowMs?: () => number; write?: (line: string) => void }): Logger {
  const nowMs = options.nowMs ?? Date.now;
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const stamp = () => `[${((nowMs() - options.startMs) / 1000).toFixed(1).padStart(6)}s]`;
  return {
    info: (message) => {
      if (!options.quiet) write(`${stamp()} ${message}`);
    },
    warn: (message) => write(`${stamp()} warning: ${message}`),
    debug: (message) => {
      if (process.env.PINBENCH_DEBUG) write(`${stamp()} ${message}`);
    },
  };
}
