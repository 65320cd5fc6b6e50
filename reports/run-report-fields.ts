/**
 * The fields of a run's report.json that report.md and report.html are drawn from, as paths.
 * Fields added later (optional in reports/types.ts, such as `counts.fleet` or the sample fields
 * of `performance.timeline`) are not here: a renderer draws an older report without them.
 */
export const RUN_REPORT_FIELDS = [
  'scenario.name', 'scenario.seed', 'scenario.devices', 'scenario.epochs', 'scenario.epochLengthS', 'startedAt', 'finishedAt', 'ok', 'checks', 'timingsMs',
  'counts.published', 'counts.received', 'counts.accepted', 'counts.rejected', 'counts.refusedLogins',
  'latencyMs.p50', 'latencyMs.p99', 'ackLatencyMs.p50', 'ackLatencyMs.p99',
  'broker.url', 'broker.peakConnections', 'registration.proposed', 'chain.rpcUrl', 'chain.contracts', 'chain.transactions',
  'circuit.key', 'circuit.batchSize', 'circuit.readingsPerDevice', 'epochs', 'proofs.count', 'gas.settleTotal', 'gas.perDeviceEpoch',
  'rewards.totalWei', 'rewards.perDevice', 'performance.timeline', 'performance.loopLagMs', 'performance.acceptedPerSecond', 'profiles', 'attached',
] as const;

/** The first field of RUN_REPORT_FIELDS that `report` lacks, or undefined when it has them all. */
export function missingRunReportField(report: unknown): string | undefined {
  return RUN_REPORT_FIELDS.find((path) => {
    const value = path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), report);
    return value === undefined;
  });
}
