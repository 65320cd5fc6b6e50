/**
 * One second of a run, as every output hears it: the live view draws it as it comes, and the
 * report keeps the whole stream (`performance.timeline`) for its tables and charts. Counts are
 * totals since the fleet started unless the name says per second. Plain data: it goes into
 * report.json as is.
 */
export interface RunSample {
  /** Wall seconds since the fleet started. */
  tS: number;
  simTimeS: number;
  /** The epoch the simulated time is in (null before the first and after the last). */
  epoch: number | null;
  /** What the run is doing: driving the fleet, then proving and settling what is left, then the owners' claims. */
  phase: 'fleet' | 'settling' | 'claiming';
  published: number;
  accepted: number;
  /** Rejections of every kind (messages, refused subscribes, closed connections). */
  rejected: number;
  publishedPerS: number;
  acceptedPerS: number;
  /** Rejections by reason, totals (`signature.invalid`, `acl.subscribe`, …). */
  rejectedByReason: Record<string, number>;
  /** Publish → accept over this sample's second, wall clock; null when nothing was accepted in it. */
  latencyMs: { p50: number; p95: number; p99: number } | null;
  connections: number;
  /** Devices per machine state (states with none left out). */
  states: Record<string, number>;
  /** CPU time of the run's process over the second, % of one core. */
  cpuPercent: number;
  rssMb: number;
  loopLagP99Ms: number;
  /** How late device timers fired, p99 since the start; realtime runs with the fleet in this process only, else null. */
  timerLatenessP99Ms: number | null;
  /** Proof jobs in run.db: waiting, in hand (being proven or their settlement mined), settled on chain, failed. */
  proofs: { queued: number; proving: number; settled: number; failed: number };
  /** Settlements mined so far, their gas (decimal string), and the last one's proving time. */
  settlements: { count: number; gasUsed: string; lastProveMs: number | null };
  /** Rewards the settled batches credited to devices so far, wei (decimal string). */
  rewardsWei: string;
  /** Real devices attached to the run, what they are doing, and the publishes the broker received from each (refused ones included). */
  attached: Array<{ deviceId: string; state: 'online' | 'offline' | 'never heard from'; publishes: number }>;
  /** Warnings logged so far. */
  warnings: number;
}
