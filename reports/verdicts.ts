/**
 * What a run's verdict is made of besides its built-in checks: the scenario's `thresholds:`
 * evaluated against the run's metrics, and the `timeline:` events that happened. sim/ fills
 * these in; the Markdown report, the suite's JUnit file and its summary only read them.
 */

/** One `thresholds:` entry of a scenario, evaluated at the end of the run (or when it aborted it). */
export interface ThresholdResult {
  /** As written in the scenario, e.g. `latency.publishToAccept.p99 < 100ms`. */
  expression: string;
  /** The metric it names, e.g. `latency.publishToAccept.p99` (docs/metrics.md lists them). */
  metric: string;
  /** Measured, in the metric's base unit (ms, bytes, a ratio 0–1, a count, gas); null when the run did not measure it. */
  measured: number | null;
  /** Measured, written in the threshold's own unit (`84.2ms`, `1.3GiB`, `0.4%`), or `not measured`. */
  measuredText: string;
  /** The bound as written, e.g. `< 100ms`. */
  expected: string;
  ok: boolean;
  abortOnFail: boolean;
  /** This threshold stopped the run early (`abortOnFail`, and it could no longer pass). */
  aborted: boolean;
}

/** One `timeline:` event as it ran: when it started and ended, and what it did. */
export interface TimelineEventReport {
  /** `broker.restart`, `network.partition`, `devices.reconnectStorm`, `chain.restart`, `devices.powerOff`, `devices.powerOn`. */
  event: string;
  /** Simulated seconds since the run's start, as the scenario scheduled it. */
  atS: number;
  /** Simulated seconds it lasted (0 for an instant event). */
  durationS: number;
  /** Devices it touched (0 for broker and chain events). */
  devices: number;
  /** What happened, one line: `broker down 10 s; 412 devices reconnected`. */
  detail: string;
  /** False when the event could not be carried out as scheduled (the detail says why). */
  ok: boolean;
}
