import type { Logger } from '../core/ports.ts';

/** Progress lines with the seconds since the run started, on stderr (stdout carries the result). */
export function createConsoleLogger(options: { quiet: boolean; startMs: number; nowMs?: () => number; write?: (line: string) => void; muted?: () => boolean }): Logger {
  const nowMs = options.nowMs ?? Date.now;
  const out = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  // Muted while the live view holds the terminal: it shows the lines itself.
  const write = (line: string) => {
    if (options.muted?.() !== true) out(line);
  };
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
