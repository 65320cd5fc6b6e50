import { describe, expect, it } from 'vitest';
import { fmtBigCompact, fmtCompact, fmtDuration, fmtInt, fmtMs, fmtTokenCompact } from '../../reports/live/format.ts';
import { SPARK_BARS, sparkline } from '../../reports/live/sparkline.ts';

describe('live view: sparkline', () => {
  it('behavior: scales from zero to the peak, one bar per value', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([100, 50, 0, 100])).toBe('█▅▁█');
  });

  it('behavior: a trickle beside a flood stays above the floor, and all zeros is flat', () => {
    expect(sparkline([1, 1000])).toBe('▂█');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('behavior: only the last `width` values are drawn, scaled among themselves', () => {
    expect(sparkline([1000, 7, 0, 7], 3)).toBe('█▁█');
    expect(sparkline(Array.from({ length: 100 }, (_, i) => i), 60)).toHaveLength(60);
    expect([...sparkline([3, 2, 1])].every((c) => (SPARK_BARS as readonly string[]).includes(c))).toBe(true);
  });
});

describe('live view: number formats', () => {
  it('behavior: counts are exact below 10,000 and three significant digits, cut, above', () => {
    expect(fmtInt(1234567)).toBe('1,234,567');
    expect(fmtCompact(9876)).toBe('9,876');
    expect(fmtCompact(12_345)).toBe('12.3k');
    expect(fmtCompact(999_999)).toBe('999k');
    expect(fmtCompact(4_560_000)).toBe('4.56M');
    expect(fmtCompact(1_000_000)).toBe('1.00M');
  });

  it('behavior: gas and other decimal strings past a float keep their leading digits', () => {
    expect(fmtBigCompact('812')).toBe('812');
    expect(fmtBigCompact('3410000')).toBe('3.41M');
    expect(fmtBigCompact('218345')).toBe('218k');
    expect(fmtBigCompact('-45678')).toBe('-45.6k');
    expect(fmtBigCompact('98765432109876543')).toBe('98.7P');
  });

  it('behavior: milliseconds and spans of time', () => {
    expect(fmtMs(3.14)).toBe('3.1 ms');
    expect(fmtMs(123.4)).toBe('123 ms');
    expect(fmtMs(1234)).toBe('1.2 s');
    expect(fmtDuration(42.9)).toBe('42s');
    expect(fmtDuration(185)).toBe('3m 05s');
    expect(fmtDuration(3723)).toBe('1h 02m 03s');
    expect(fmtDuration(2 * 86_400 + 3 * 3600 + 4 * 60 + 5)).toBe('2d 03h 04m');
    expect(fmtDuration(-5)).toBe('-5s');
  });

  it('behavior: wei as tokens of 18 decimals, short and never rounded up', () => {
    expect(fmtTokenCompact('0')).toBe('0');
    expect(fmtTokenCompact('1')).toBe('<0.000001');
    expect(fmtTokenCompact('123000000000000')).toBe('0.000123');
    expect(fmtTokenCompact('500000000000000000')).toBe('0.5');
    expect(fmtTokenCompact('12345000000000000000')).toBe('12.34');
    expect(fmtTokenCompact('12999999999999999999')).toBe('12.99');
    expect(fmtTokenCompact('7000000000000000000')).toBe('7');
    expect(fmtTokenCompact('1234500000000000000000')).toBe('1,234.5');
    expect(fmtTokenCompact('45678000000000000000000')).toBe('45.6k');
    expect(fmtTokenCompact('4567800000000000000000000000')).toBe('4.56G');
  });
});
