import type { RunOutput, RunSample, RunStart } from './output.ts';

/**
 * The plain progress of a run where no live view can draw (stdout is no terminal, `CI` is set,
 * `--no-live`): a line every `everyS` wall seconds from the samples, through `write` (the run's
 * logger, which stamps it), and a line when the phase changes. `--quiet` drops them with the
 * logger's other info lines.
 */
export function progressLines(write: (line: string) => void, options: { everyS?: number } = {}): RunOutput {
  const everyS = options.everyS ?? 5;
  let devices = 0;
  let nextS = everyS;
  let phase: RunSample['phase'] = 'fleet';
  return {
    name: 'progress lines',
    start: (run: RunStart) => {
      devices = run.scenario.devices;
    },
    samples: (samples) => {
      for (const s of samples) {
        if (s.phase !== phase) {
          phase = s.phase;
          write(phaseLine(s));
        }
        // The claims say their own progress (sim/run/claims.ts); the proof queue is settled by then.
        if (s.tS + 1e-6 < nextS || s.phase === 'claiming') continue;
        nextS = (Math.floor(s.tS / everyS) + 1) * everyS;
        write(s.phase === 'fleet' ? fleetLine(s, devices) : queueLine(s));
      }
    },
    stop: () => undefined,
  };
}

function fleetLine(s: RunSample, devices: number): string {
  return `online ${s.states.online ?? 0}/${devices}, published ${s.published}, accepted ${s.accepted}, rejected ${s.rejected}`;
}

function queueLine(s: RunSample): string {
  const { queued, proving, settled, failed } = s.proofs;
  return `proofs: ${queued} queued, ${proving} proving, ${settled} settled${failed > 0 ? `, ${failed} failed` : ''}`;
}

function phaseLine(s: RunSample): string {
  return s.phase === 'settling' ? `fleet stopped; proving and settling what is left (${s.proofs.queued + s.proofs.proving} proof jobs)` : 'settled; the owners claim their rewards';
}
