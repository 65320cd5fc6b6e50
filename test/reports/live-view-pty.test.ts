import { spawn, spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The live view on a real pseudo-terminal: util-linux `script` gives the fake run
 * (test/support/fake-live-run.ts, fake samples, the real view) a TTY for stdout and stdin, and
 * passes on the keys this test writes. What is pinned: the keys arrive in raw mode, and once the
 * view stops the process exits by itself, with the cursor shown again.
 */
function scriptPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('`script` (util-linux) is missing: apt-get install bsdutils');
  return found.stdout.trim();
}

interface PtyRun {
  output: () => string;
  press: (keys: string) => void;
  exited: Promise<number | null>;
}

function fakeRunOnPty(args: string): PtyRun {
  // The pty starts 0×0 under a pipe; the view needs a width to lay out its rows.
  const command = `stty cols 100 rows 30; exec ${process.execPath} --import tsx test/support/fake-live-run.ts ${args}`;
  const child = spawn(scriptPath(), ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: 'false' } });
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (raw += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (raw += chunk));
  return {
    output: () => raw,
    press: (keys) => void child.stdin.write(keys),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

const screen = (raw: string) => stripVTControlCharacters(raw).replace(/\r/g, '');

async function until(run: PtyRun, text: string): Promise<void> {
  while (!screen(run.output()).includes(text)) {
    const exited = await Promise.race([run.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);
    if (exited && !screen(run.output()).includes(text)) throw new Error(`the fake run exited before drawing ${JSON.stringify(text)}:\n${screen(run.output())}`);
  }
}

describe('live view on a pseudo-terminal', () => {
  it('behavior: the run goes to its end, the view draws PASS and the process exits 0 by itself', async () => {
    const run = fakeRunOnPty('--samples 3 --interval-ms 200');
    expect(await run.exited).toBe(0);
    const out = screen(run.output());
    expect(out).toContain('phase settling');
    expect(out).toContain('PASS\nreport runs/2026-01-01T00-00-00-city-fake/report.md');
    expect(run.output().lastIndexOf('\u001B[?25h')).toBeGreaterThan(run.output().lastIndexOf('\u001B[?25l'));
  });

  it('behavior: q in raw mode stops the run early with a report (exit 130); the view says so', async () => {
    const run = fakeRunOnPty('--samples 1000 --interval-ms 200');
    // A frame with a sample is the view's second (the first is drawn at start): ink puts the pty
    // in raw mode in an effect of the first, which React runs before the second at the latest.
    await until(run, 'wall ');
    run.press('q');
    await until(run, 'stopping: settling what closed, writing the report…');
    expect(await run.exited).toBe(130);
    expect(screen(run.output())).toContain('STOPPED · 2 epochs left open in run.db\nreport runs/2026-01-01T00-00-00-city-fake/report.md — covers what ran before q');
  });

  it('behavior: Ctrl-C, a key in raw mode, interrupts without a report (exit 130)', async () => {
    const run = fakeRunOnPty('--samples 1000 --interval-ms 200');
    // A frame with a sample is the view's second (the first is drawn at start): ink puts the pty
    // in raw mode in an effect of the first, which React runs before the second at the latest.
    await until(run, 'wall ');
    run.press('\x03');
    expect(await run.exited).toBe(130);
    expect(screen(run.output())).toContain('the run stopped without a report: interrupted (fake run)');
  });
});
