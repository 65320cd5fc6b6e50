/**
 * Numbers and commands as the sweep page writes them. A metric can be a share (0.412), a
 * token amount (31,250) or a tiny cost per km (0.00213): decimals follow the magnitude, so
 * every figure shows three or four significant digits, and a set's sd is written with its
 * mean's decimals so the column lines up.
 */

export function decimalsFor(value: number): number {
  const abs = Math.abs(value);
  if (abs === 0 || abs >= 1000) return 0;
  if (abs >= 100) return 1;
  if (abs >= 10) return 2;
  if (abs >= 1) return 3;
  return Math.min(8, Math.ceil(-Math.log10(abs)) + 2);
}

export function formatNumber(value: number | null | undefined, decimals?: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const d = decimals ?? decimalsFor(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** `0.412 ± 0.013`: the sd with the mean's decimals, or `< 0.001` when it is not 0 but rounds to it. */
export function formatMeanSd(mean: number | null | undefined, sd: number | null | undefined): string {
  if (typeof mean !== 'number' || !Number.isFinite(mean)) return '–';
  const d = decimalsFor(mean);
  const smallest = 10 ** -d;
  const sdText = typeof sd !== 'number' || !Number.isFinite(sd) ? '–' : sd > 0 && sd < smallest / 2 ? `< ${formatNumber(smallest, d)}` : formatNumber(sd, d);
  return `${formatNumber(mean, d)} ± ${sdText}`;
}

/** A word for a shell: as it is when it holds nothing a shell reads specially, else in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_.,=:/+@%-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
