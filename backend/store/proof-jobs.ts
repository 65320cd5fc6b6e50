import type { Database as Db } from 'better-sqlite3';
import type { BatchCircuitInput } from '../../circuits/index.ts';
import type { DeviceEpochWork } from '../../core/reward-rule.ts';

/** A proof job as kept in run.db: a batch to prove and settle. */
export interface ProofJob {
  epoch: number;
  batch: number;
  input: BatchCircuitInput;
  work: DeviceEpochWork[];
  closedAtMs: number;
  attempts: number;
}

type Row = { epoch: number; batch: number; input: string; work: string; closedAtMs: number; attempts: number };

/**
 * The prover's queue, in run.db so that it survives the process: a job is written when its epoch
 * closes and marked settled once its transaction is mined, so after a crash `pinbench resume`
 * finds exactly the batches still owed. Only jobs being worked on are held in memory.
 */
export class ProofJobs {
  /** `db` is a run.db opened by RunStore, which made the `proof_jobs` table (store/schema.ts). */
  constructor(private readonly db: Db) {}

  add(job: Omit<ProofJob, 'attempts'>): void {
    this.db
      .prepare('INSERT OR IGNORE INTO proof_jobs (epoch, batch, status, input, work, closed_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(job.epoch, job.batch, 'queued', JSON.stringify(job.input), JSON.stringify(job.work, bigintReplacer), job.closedAtMs);
  }

  /** Up to `limit` queued jobs not in `exclude` ("epoch:batch"), oldest epoch first; each call counts an attempt. */
  take(limit: number, exclude: ReadonlySet<string>): ProofJob[] {
    if (limit <= 0) return [];
    const rows = this.db
      .prepare("SELECT epoch, batch, input, work, closed_at_ms AS closedAtMs, attempts FROM proof_jobs WHERE status = 'queued' ORDER BY epoch, batch")
      .iterate() as IterableIterator<Row>;
    const jobs: ProofJob[] = [];
    const bump = this.db.prepare('UPDATE proof_jobs SET attempts = attempts + 1 WHERE epoch = ? AND batch = ?');
    for (const row of rows) {
      if (exclude.has(`${row.epoch}:${row.batch}`)) continue;
      jobs.push({
        epoch: row.epoch, batch: row.batch, closedAtMs: row.closedAtMs, attempts: row.attempts + 1,
        input: JSON.parse(row.input) as BatchCircuitInput,
        work: (JSON.parse(row.work) as Array<Record<string, unknown>>).map(reviveWork),
      });
      if (jobs.length >= limit) break;
    }
    for (const job of jobs) bump.run(job.epoch, job.batch);
    return jobs;
  }

  settled(epoch: number, batch: number): void {
    this.db.prepare("UPDATE proof_jobs SET status = 'settled', error = NULL WHERE epoch = ? AND batch = ?").run(epoch, batch);
  }

  failed(epoch: number, batch: number, error: string): void {
    this.db.prepare("UPDATE proof_jobs SET status = 'failed', error = ? WHERE epoch = ? AND batch = ?").run(error, epoch, batch);
  }

  list(status: 'queued' | 'settled' | 'failed'): Array<{ epoch: number; batch: number }> {
    return this.db.prepare('SELECT epoch, batch FROM proof_jobs WHERE status = ? ORDER BY epoch, batch').all(status) as Array<{ epoch: number; batch: number }>;
  }

  requeue(epoch: number, batch: number): void {
    this.db.prepare("UPDATE proof_jobs SET status = 'queued' WHERE epoch = ? AND batch = ?").run(epoch, batch);
  }

  /** Puts failed jobs back in the queue (a resume retries them). */
  requeueFailed(): number {
    return this.db.prepare("UPDATE proof_jobs SET status = 'queued' WHERE status = 'failed'").run().changes;
  }

  counts(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM proof_jobs GROUP BY status').all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function reviveWork(raw: Record<string, unknown>): DeviceEpochWork {
  const big = (v: unknown): bigint => BigInt(String(v).replace(/n$/, ''));
  return {
    ...(raw as unknown as DeviceEpochWork), units: big(raw.units), rewardWei: big(raw.rewardWei),
    ...(raw.coverageUnits === undefined ? {} : { coverageUnits: big(raw.coverageUnits) }),
  };
}
