import type { RunStore } from '../store/run-store.ts';

/**
 * That an epoch's close finished, kept in run.db's `meta` (`epoch_closed:<n>`) once every batch
 * it made is a proof job: an epoch with readings and no record was open, or half closed, when
 * the run stopped, and `pinbench resume` closes it. The rejection cursor lets the next close
 * count only the rejections that came after this one, as the live run did.
 */
export interface EpochCloseRecord {
  epoch: number;
  devices: number;
  readings: number;
  flagged: number;
  /** Highest rejections.id this close took into account. */
  rejectionCursor: number;
}

const KEY_PREFIX = 'epoch_closed:';

export function recordEpochClosed(store: RunStore, record: EpochCloseRecord): void {
  store.setMeta(`${KEY_PREFIX}${record.epoch}`, JSON.stringify(record));
}

/** The epochs whose close finished, by epoch. */
export function epochCloseRecords(store: RunStore): Map<number, EpochCloseRecord> {
  const rows = store.db.prepare("SELECT value FROM meta WHERE key LIKE 'epoch_closed:%'").all() as Array<{ value: string }>;
  const records = new Map<number, EpochCloseRecord>();
  for (const row of rows) {
    const record = JSON.parse(row.value) as EpochCloseRecord;
    records.set(record.epoch, record);
  }
  return records;
}

/** The epochs of the scenario (below `epochCount`) with accepted readings and no close record: open, or half closed, when the run stopped. */
export function openEpochs(store: RunStore, epochCount: number): number[] {
  const records = epochCloseRecords(store);
  return (store.db.prepare('SELECT DISTINCT epoch FROM readings WHERE epoch < ? ORDER BY epoch').all(epochCount) as Array<{ epoch: number }>)
    .map((r) => r.epoch)
    .filter((epoch) => !records.has(epoch));
}
