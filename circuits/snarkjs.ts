/**
 * Typed access to the parts of snarkjs 0.7 that pinbench uses. snarkjs ships no type
 * declarations; declaring the few calls here keeps `any` out of the rest of circuits/ without
 * an ambient module declaration that other folders would inherit.
 */
import type { Logger } from '../core/ports.ts';

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

export interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  [field: string]: unknown;
}

/** The logger shape snarkjs calls into (it also uses `error`). */
export interface SnarkjsLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  error(message: string): void;
}

/** fastfile's in-memory file, used to keep the witness off disk. */
export interface MemFile {
  type: 'mem';
  data?: Uint8Array;
}

interface Curve {
  terminate(): Promise<void>;
}

export interface Snarkjs {
  curves: { getCurveFromName(name: string): Promise<Curve> };
  powersOfTau: {
    newAccumulator(curve: Curve, power: number, fileName: string, logger?: SnarkjsLogger): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: SnarkjsLogger): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkjsLogger): Promise<unknown>;
  };
  r1cs: {
    info(r1csName: string, logger?: SnarkjsLogger): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number; nVars: number }>;
  };
  zKey: {
    /** Returns -1 (and logs an error) instead of throwing on a too-small or unprepared ptau. */
    newZKey(r1csName: string, ptauName: string, zkeyName: string, logger?: SnarkjsLogger): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: SnarkjsLogger): Promise<unknown>;
    exportVerificationKey(zkeyName: string, logger?: SnarkjsLogger): Promise<VerificationKey>;
    exportSolidityVerifier(zkeyName: string, templates: Record<string, string>, logger?: SnarkjsLogger): Promise<string>;
  };
  wtns: {
    /** Writes the witness into `out.data` when given `{ type: 'mem' }`. */
    calculate(input: unknown, wasmFile: string, out: MemFile): Promise<void>;
  };
  groth16: {
    prove(zkeyFile: string, witness: MemFile, logger?: SnarkjsLogger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: VerificationKey, publicSignals: string[], proof: Groth16Proof, logger?: SnarkjsLogger): Promise<boolean>;
  };
}

let loaded: Promise<Snarkjs> | undefined;

export function loadSnarkjs(): Promise<Snarkjs> {
  const specifier: string = 'snarkjs';
  loaded ??= import(specifier) as Promise<Snarkjs>;
  return loaded;
}

/** snarkjs keeps one multi-threaded bn128 curve in this global until it is terminated. */
export async function terminateCurve(): Promise<void> {
  const holder = globalThis as { curve_bn128?: Curve | null };
  await holder.curve_bn128?.terminate();
}

/** Routes snarkjs' chatter to debug and keeps its errors, which some calls return instead of throwing. */
export function snarkjsLogger(logger: Logger, errors: string[] = []): SnarkjsLogger {
  return {
    info: (m) => logger.debug(`snarkjs: ${m}`),
    debug: (m) => logger.debug(`snarkjs: ${m}`),
    warn: (m) => logger.warn(`snarkjs: ${m}`),
    error: (m) => {
      errors.push(m);
      logger.debug(`snarkjs error: ${m}`);
    },
  };
}
