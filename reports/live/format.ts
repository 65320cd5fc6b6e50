/**
 * Numbers as the live view prints them: short enough that a row of figures fits 80 columns,
 * and never more than was measured (token amounts are cut, not rounded up).
 */

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A whole count with thousands separators: `12,345`. */
export const fmtInt = (n: number): string => GROUPED.format(Math.round(n));

const UNITS = ['', 'k', 'M', 'G', 'T', 'P'] as const;

/**
 * A count that may grow large, in three significant digits past 10,000 (`12.3k`, `4.56M`);
 * below that it is exact (`9,876`), since a small count is read digit by digit.
 */
export function fmtCompact(n: number): string {
  if (Math.abs(n) < 10_000) return fmtInt(n);
  return `${n < 0 ? '-' : ''}${scaled(Math.abs(n), 0)}`;
}

/** A decimal string too large for a number (gas, wei) in the compact form. */
export function fmtBigCompact(decimal: string): string {
  const value = BigInt(decimal);
  let abs = value < 0n ? -value : value;
  if (abs < 10_000n) return fmtInt(Number(value));
  // Drop whole thousands in BigInt first (a cut, as below), so what reaches a float is exact.
  let unit = 0;
  while (abs >= 1_000_000n && unit < UNITS.length - 2) {
    abs /= 1000n;
    unit += 1;
  }
  return `${value < 0n ? '-' : ''}${scaled(Number(abs), unit)}`;
}

/** `value` × 1000^`unit`, as three significant digits and a unit letter. */
function scaled(value: number, unit: number): string {
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // Cut rather than round, so 999,999 reads 999k and never 1000k.
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const cut = Math.floor(value * 10 ** digits + 1e-9) / 10 ** digits;
  return `${cut.toFixed(digits)}${UNITS[unit]}`;
}

/** Milliseconds: `3.1 ms` below ten, `123 ms` below a second, then `1.2 s`. */
export function fmtMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Seconds as a span: `42s`, `3m 05s`, `1h 02m 03s`, `2d 03h 04m`; a negative span gets a minus sign. */
export function fmtDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h ${pad2(Math.floor(s / 60) % 60)}m ${pad2(s % 60)}s`;
  return `${sign}${Math.floor(s / 86_400)}d ${pad2(Math.floor(s / 3600) % 24)}h ${pad2(Math.floor(s / 60) % 60)}m`;
}

const WEI_PER_TOKEN = 10n ** 18n;

/**
 * Wei as tokens (18 decimals), short: `0`, `<0.000001`, `0.000123`, `12.34`, `1.23k`, `4.56M`.
 * Cut, not rounded, like the report's `fmtToken`, so the view never shows more than was paid.
 */
export function fmtTokenCompact(wei: string): string {
  const value = BigInt(wei);
  if (value === 0n) return '0';
  const whole = value / WEI_PER_TOKEN;
  if (whole >= 10_000n) return fmtBigCompact(whole.toString());
  const micro = (value % WEI_PER_TOKEN) / 10n ** 12n;
  if (whole === 0n && micro === 0n) return '<0.000001';
  if (whole === 0n) return `0.${micro.toString().padStart(6, '0').replace(/0+$/, '')}`;
  const cents = micro / 10_000n;
  return `${fmtInt(Number(whole))}${cents === 0n ? '' : `.${cents.toString().padStart(2, '0').replace(/0$/, '')}`}`;
}
