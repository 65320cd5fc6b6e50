import { describe, expect, it } from 'vitest';
import { gini, lorenzCurve } from '../../reports/html/lorenz.ts';

const WEI = 10n ** 18n;

describe('reward inequality: Gini coefficient and Lorenz curve', () => {
  it('behavior: an equal split is 0, one device holding everything is (n − 1)/n, 1, 2, 3, 4 is 0.25', () => {
    expect(gini([5n, 5n, 5n, 5n])).toBe(0);
    expect(gini([0n, 0n, 0n, 7n])).toBe(0.75);
    expect(gini([4n, 1n, 3n, 2n])).toBe(0.25);
  });

  it('behavior: wei amounts past 2^53 are exact, and scaling every amount changes nothing', () => {
    const amounts = [1n, 2n, 3n, 4n].map((x) => x * 123_456_789n * WEI + 1n);
    expect(gini(amounts)).toBeCloseTo(0.25, 9);
    expect(gini([1n * WEI, 3n * WEI])).toBe(gini([1n, 3n]));
    expect(gini([1n, 3n])).toBe(0.25);
  });

  it('behavior: nothing to share gives no coefficient and no curve', () => {
    expect(gini([])).toBeNull();
    expect(gini([0n, 0n])).toBeNull();
    expect(lorenzCurve([])).toEqual([]);
    expect(lorenzCurve([0n, 0n])).toEqual([]);
  });

  it('behavior: the curve goes from (0, 0) to (1, 1), poorest first', () => {
    expect(lorenzCurve([3n, 1n])).toEqual([[0, 0], [0.5, 0.25], [1, 1]]);
    expect(lorenzCurve([0n, 0n, 0n, 8n])).toEqual([[0, 0], [0.25, 0], [0.5, 0], [0.75, 0], [1, 1]]);
  });

  it('behavior: 10,000 devices make a curve of at most 201 points, ends included, never decreasing', () => {
    const amounts = Array.from({ length: 10_000 }, (_, i) => BigInt(i % 97) * WEI);
    const curve = lorenzCurve(amounts);
    expect(curve).toHaveLength(201);
    expect(curve[0]).toEqual([0, 0]);
    expect(curve[200]).toEqual([1, 1]);
    for (let i = 1; i < curve.length; i++) expect(curve[i]![1]).toBeGreaterThanOrEqual(curve[i - 1]![1]);
    expect(lorenzCurve(amounts, 11)).toHaveLength(11);
  });

  it('error: a negative amount is refused, naming it', () => {
    expect(() => gini([1n, -2n])).toThrow('a reward cannot be negative, got -2');
  });
});
