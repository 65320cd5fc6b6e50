/**
 * 18-decimal fixed point, rounded down at every step, so that BigInt here and uint256 in
 * Solidity give the same bits (no intermediate exceeds 2^256 for operands ≤ 2^128).
 */
export const ONE_E18 = 10n ** 18n;

/** mulDown(a, b) = floor(a · b / 1e18). */
export function mulDown(a: bigint, b: bigint): bigint {
  return (a * b) / ONE_E18;
}

/**
 * powDown(q, e) = q^e in 1e18 fixed point by square-and-multiply, exactly in this order
 * (Solidity mirrors it line by line):
 *
 *     result = 1e18; base = q; n = e
 *     while n > 0:
 *         if n & 1 == 1: result = mulDown(result, base)
 *         n = n >> 1
 *         if n > 0: base = mulDown(base, base)
 *     return result
 *
 * Each mulDown rounds down, so for q ≤ 1e18 the result never exceeds the exact q^e.
 */
export function powDown(q: bigint, e: number): bigint {
  let result = ONE_E18;
  let base = q;
  let n = e;
  while (n > 0) {
    if (n % 2 === 1) result = mulDown(result, base);
    n = Math.floor(n / 2);
    if (n > 0) base = mulDown(base, base);
  }
  return result;
}
