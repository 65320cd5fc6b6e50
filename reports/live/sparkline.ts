/** Eight heights of a bar, lowest first (Unicode block elements U+2581–U+2588). */
export const SPARK_BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * One character per value, scaled from zero to the largest value shown: a rate's drop to zero
 * (a broker restart, an outage) should look like one, so the floor is 0 and not the minimum.
 * Zero is the lowest bar and anything above zero at least the second, so a trickle stays
 * visible beside a flood. Only the last `width` values are drawn.
 */
export function sparkline(values: readonly number[], width = values.length): string {
  const shown = values.slice(Math.max(0, values.length - width));
  const peak = Math.max(0, ...shown);
  if (peak === 0) return SPARK_BARS[0].repeat(shown.length);
  const top = SPARK_BARS.length - 1;
  return shown
    .map((v) => (v <= 0 ? SPARK_BARS[0] : SPARK_BARS[Math.max(1, Math.round((v / peak) * top))]!))
    .join('');
}
