/**
 * pinbench's exit codes, as CI reads them (README, "Use in CI"). A threshold failure has its
 * own code, as in k6, so a pipeline can tell "the system under test got slower" from "the
 * pipeline itself is broken".
 */
export const EXIT = {
  /** Every built-in check and every threshold passed. */
  pass: 0,
  /** A built-in check failed (or the run failed). */
  checkFailed: 1,
  /** Bad arguments or a bad scenario: nothing ran. */
  badInput: 2,
  /** Every built-in check passed and a threshold failed. */
  thresholdFailed: 99,
  /** Interrupted (Ctrl-C, SIGTERM, `q` in the live view). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
