import type { RunStore } from '../store/run-store.ts';

/**
 * What a policy priced by the whole epoch told the contract (Settlement.openEpoch) and what it
 * left unminted, kept in run.db's `meta` (`epoch_book:<n>`) so a report and a resume read the
 * same numbers the chain was given.
 */
export interface EpochBook {
  epoch: number;
  /** T_e. */
  totalUnits: bigint;
  /** Proof batches of the epoch that earn anything: the ones that will settle. */
  batches: number;
  emissionWei: bigint;
  dustWei: bigint;
}

const KEY_PREFIX = 'epoch_book:';

export function recordEpochBook(store: RunStore, book: EpochBook): void {
  store.setMeta(`${KEY_PREFIX}${book.epoch}`, JSON.stringify({ ...book, totalUnits: String(book.totalUnits), emissionWei: String(book.emissionWei), dustWei: String(book.dustWei) }));
}

export function epochBooks(store: RunStore): EpochBook[] {
  const rows = store.db.prepare("SELECT value FROM meta WHERE key LIKE 'epoch_book:%'").all() as Array<{ value: string }>;
  return rows
    .map((row) => {
      const raw = JSON.parse(row.value) as Record<string, string | number>;
      return { epoch: Number(raw.epoch), totalUnits: BigInt(raw.totalUnits!), batches: Number(raw.batches), emissionWei: BigInt(raw.emissionWei!), dustWei: BigInt(raw.dustWei!) };
    })
    .sort((a, b) => a.epoch - b.epoch);
}
