import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it; `startTicks` tells it from a later process given the same pid. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  startTicks: number;
  /** Its command line, spaces between the arguments. */
  command: string;
}

function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in parentheses may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie is dead, only not yet reaped
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(fields[1]), startTicks: Number(fields[19]), command };
  } catch {
    return undefined; // gone while we read
  }
}

/** Every live descendant of `root` (children, their children, …), from /proc/<pid>/stat. */
export function descendantsOf(root: number): ProcessEntry[] {
  const byParent = new Map<number, ProcessEntry[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readEntry(Number(name));
    if (entry === undefined) continue;
    byParent.set(entry.ppid, [...(byParent.get(entry.ppid) ?? []), entry]);
  }
  const found: ProcessEntry[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Whether this very process (same pid, same start) is still alive and not a zombie. */
export function stillAlive(entry: ProcessEntry): boolean {
  return readEntry(entry.pid)?.startTicks === entry.startTicks;
}

/**
 * Records every descendant of `root` it sees, every `everyMs`, until stopped: short-lived
 * children (a prover, the circuit compiler) are seen too.
 */
export function recordDescendants(root: number, everyMs = 50): { seen: Map<string, ProcessEntry>; sample(): void; stop(): void } {
  const seen = new Map<string, ProcessEntry>();
  const sample = () => {
    for (const entry of descendantsOf(root)) seen.set(`${entry.pid}:${entry.startTicks}`, entry);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return { seen, sample, stop: () => clearInterval(timer) };
}

/**
 * Whether `pid` is a live process. A zombie is not: it has died and only waits to be reaped,
 * which an orphan's new parent (init, a sandbox's init) may take seconds to do.
 */
export function isRunning(pid: number): boolean {
  return readEntry(pid) !== undefined;
}
