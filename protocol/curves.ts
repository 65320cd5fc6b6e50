import { PinbenchError } from '../core/errors.ts';

/**
 * Device signing curves: P-256 (secp256r1), as the Pebble's secure element signs, by default;
 * secp256k1 as an option (docs/architecture.md, "Wire format").
 */
export type CurveName = 'p256' | 'secp256k1';

export const CURVE_NAMES: readonly CurveName[] = ['p256', 'secp256k1'];

/** The JWK `crv` Node's crypto uses for each curve. */
export const jwkCurveNames: Record<CurveName, string> = { p256: 'P-256', secp256k1: 'secp256k1' };

export function assertCurve(curve: unknown, option = 'curve'): asserts curve is CurveName {
  if (!CURVE_NAMES.includes(curve as CurveName)) {
    throw new PinbenchError(
      'CONFIG_INVALID',
      `option \`${option}\`: expected one of ${CURVE_NAMES.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(curve)}; use 'p256' unless the devices sign with secp256k1`,
      { details: { option, value: curve } },
    );
  }
}
