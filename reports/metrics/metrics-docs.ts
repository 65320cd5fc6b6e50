import { METRICS } from './catalogue.ts';

const UNITS: Record<string, string> = {
  duration: 'duration: ms, s, min (bare: ms)',
  bytes: 'bytes: B, KiB, MiB, GiB (bare: B)',
  ratio: 'ratio: % or 0–1',
  count: 'count',
  gas: 'gas',
  rate: 'per second',
};
const cell = (text: string): string => text.replaceAll('|', '\\|');

/** docs/metrics.md, from the catalogue the thresholds are evaluated with. */
export function renderMetricsDocs(): string {
  const rows = METRICS.map((m) => {
    const where = [m.run === undefined ? '' : 'full run', m.fleetOnly === undefined ? '' : '`--backend none`'].filter((w) => w !== '').join(', ');
    return `| \`${m.name}\` | ${UNITS[m.kind]} | ${where} | ${m.live === undefined ? '' : 'yes'} | ${cell(m.description)} |`;
  });
  return [
    '# Metrics',
    '',
    '<!-- Generated from reports/metrics/catalogue.ts by `npm run docs:metrics`; edit that file, not this one. -->',
    '',
    "The metrics a scenario's `thresholds:` can name (README, \"Thresholds\"). A threshold is",
    '`<metric> <op> <value>[unit]`, with `<`, `<=`, `>`, `>=`, `==` or `!=`, and a unit that fits the',
    "metric's kind. A name with `<reason>` takes one of the ingest's rejection reasons (`signature`,",
    '`replay`, `timestamp.skew`, …: run.db `rejections.reason`); one with `<profile>` takes an',
    'adversary profile, a fault or a motion of the scenario, `honest` or `adversaries`.',
    '',
    '- **measured in**: a full run, a fleet-only run (`--backend none`), or both. A threshold on a',
    '  metric the run does not measure is refused before the run starts. A metric that ended with no',
    '  samples (no proof settled, nobody connected) reads `not measured`, and its threshold fails.',
    '- **live**: a counter that only grows and is read while the run goes. With `abortOnFail: true`',
    '  and a bound from above (`<`, `<=`, `==`), the run stops as soon as it is past the bound (read',
    '  every simulated second), settles the epochs already closed, writes its report, and exits 99.',
    '  On any other metric or bound, `abortOnFail` is judged at the end (the run says so as it starts).',
    '',
    '| metric | unit | measured in | live | what it is |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
