import type { Logger } from '../../core/ports.ts';
import type { RunOutput } from '../../reports/output.ts';
import { progressLines } from '../../reports/progress-lines.ts';
import { junitOutput } from '../suite/junit-output.ts';

/**
 * Whether a run draws the live terminal view: only in a terminal, not in CI (ink draws only its
 * last frame there, and a log wants lines), and not with `--quiet` or `--no-live`.
 */
export function wantsLiveView(input: { isTTY: boolean | undefined; env: NodeJS.ProcessEnv; quiet: boolean; noLive: boolean }): boolean {
  const ci = input.env.CI !== undefined && input.env.CI !== '' && input.env.CI !== '0' && input.env.CI.toLowerCase() !== 'false';
  return input.isTTY === true && !ci && !input.quiet && !input.noLive;
}

/**
 * The run's outputs for the CLI: the live view or plain progress lines, and the JUnit file when
 * asked for. While the view holds the terminal, `console` is muted (`mute(true)`): the view shows
 * the run's lines itself, and any other write would tear its frame.
 */
export function runOutputs(input: {
  live: RunOutput | undefined;
  logger: Logger;
  mute: (muted: boolean) => void;
  junit: string | undefined;
  scenarioFile: string;
}): RunOutput[] {
  const outputs: RunOutput[] = [];
  if (input.live !== undefined) {
    const live = input.live;
    outputs.push({
      name: live.name,
      start: (run) => {
        input.mute(true);
        live.start(run);
      },
      samples: (samples) => live.samples(samples),
      message: (level, text) => live.message?.(level, text),
      stop: async (end) => {
        try {
          await live.stop(end);
        } finally {
          input.mute(false);
        }
      },
      fail: async (error) => {
        try {
          await live.fail?.(error);
        } finally {
          input.mute(false);
        }
      },
    });
  } else {
    outputs.push(progressLines((line) => input.logger.info(line)));
  }
  if (input.junit !== undefined) outputs.push(junitOutput(input.junit, input.scenarioFile));
  return outputs;
}
