import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pinbench …` as a user runs it: bin/pinbench.js in its own process, with its own exit code. */
export function runPinbench(args: readonly string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/pinbench.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The smallest scenario that still goes from devices to the chain: 4 trackers, one short
 * accelerated epoch, the cached 4 × 8 circuit; `more` is appended (e.g. a `thresholds:` list).
 */
export const tinyScenario = (name: string, seed: number, more = '') => `name: ${name}
seed: ${seed}
fleet:
  - { count: 4, motion: car, uploadPeriodS: 2 }
epochs: { lengthS: 12, count: 1 }
time: { mode: accelerated }
circuit: { batchSize: 4, readingsPerDevice: 8 }
${more}`;
