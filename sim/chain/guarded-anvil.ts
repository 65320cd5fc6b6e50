import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const GUARD_ENTRY = fileURLToPath(new URL('./anvil-guard.js', import.meta.url));

/** What the guard tells the run (sim/chain/anvil-guard.js). */
type GuardMessage =
  | { type: 'spawned'; pid: number }
  | { type: 'error'; message: string; code?: string }
  | { type: 'exited'; code: number | null; signal: NodeJS.Signals | null };

/**
 * anvil as the run sees it, started through its guard (anvil-guard.js), which ends anvil when the
 * run dies, however it dies. It looks like the `ChildProcess` of anvil itself:
 * - `pid` is anvil's own (undefined until the guard has spawned it), `guardPid` the guard's;
 * - `kill(signal)` signals anvil directly, so SIGTERM lets it save its state and SIGKILL is a crash;
 * - `stdout`/`stderr` carry anvil's output; 'error' is a failed spawn (of the guard or of anvil);
 * - 'exit' comes once the guard has gone too, with anvil's exit code or signal.
 */
export class GuardedAnvilProcess extends EventEmitter {
  readonly stdout: Readable;
  readonly stderr: Readable;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private anvilPid: number | undefined;
  private anvilExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(private readonly guard: ChildProcess) {
    super();
    this.stdout = guard.stdout!;
    this.stderr = guard.stderr!;
    guard.on('message', (message: GuardMessage) => this.onMessage(message));
    guard.on('error', (error) => this.emitError(error));
    guard.once('exit', (code, signal) => this.onGuardExit(code, signal));
  }

  get pid(): number | undefined {
    return this.anvilPid;
  }

  get guardPid(): number | undefined {
    return this.guard.pid;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null || this.anvilExit !== undefined) return false;
    if (this.anvilPid !== undefined) {
      try {
        process.kill(this.anvilPid, signal);
        return true;
      } catch {
        return false;
      }
    }
    // anvil not spawned yet: the guard passes the signal on; a guard that is no longer
    // listening is itself signalled (a SIGTERM it forwards, a SIGKILL ends it and its watch).
    if (this.guard.connected) {
      this.guard.send({ type: 'kill', signal });
      return true;
    }
    return this.guard.kill(signal);
  }

  private onMessage(message: GuardMessage): void {
    if (message.type === 'spawned') {
      this.anvilPid = message.pid;
      this.emit('spawn');
    } else if (message.type === 'error') {
      this.emitError(Object.assign(new Error(message.message), { code: message.code }));
    } else {
      this.anvilExit = { code: message.code, signal: message.signal };
    }
  }

  /** An 'error' nobody listens for any more (the start is over) must not throw in the run. */
  private emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private onGuardExit(code: number | null, signal: NodeJS.Signals | null): void {
    // The guard died before anvil (someone killed it): anvil would be left to init, so end it here.
    if (this.anvilExit === undefined && this.anvilPid !== undefined) {
      try {
        process.kill(this.anvilPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const exit = this.anvilExit ?? { code, signal };
    this.exitCode = exit.code;
    this.signalCode = exit.signal;
    this.emit('exit', exit.code, exit.signal);
  }
}

/**
 * Starts `binary args…` (anvil) through its guard. The guard is plain JavaScript forked without
 * loader flags, so it starts the same from the sources, vitest or the installed package.
 */
export function spawnGuardedAnvil(binary: string, args: readonly string[]): GuardedAnvilProcess {
  const guard = fork(GUARD_ENTRY, [binary, ...args], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  return new GuardedAnvilProcess(guard);
}
