/**
 * Cuts simulated time into epochs: epoch `e` holds readings stamped in
 * [startS + e·lengthS, startS + (e+1)·lengthS). Device timestamps are whole seconds
 * (Pebble `timestamp`, field 3), so the run's start is aligned to a whole second.
 */
export interface EpochCalendar {
  readonly startS: number;
  readonly lengthS: number;
  readonly count: number;
  epochOf(timestampS: number): number | null;
  startOfS(epoch: number): number;
  endOfS(epoch: number): number;
}

export function createEpochCalendar(startS: number, lengthS: number, count: number): EpochCalendar {
  return {
    startS,
    lengthS,
    count,
    epochOf(timestampS) {
      const epoch = Math.floor((timestampS - startS) / lengthS);
      return epoch >= 0 && epoch < count ? epoch : null;
    },
    startOfS: (epoch) => startS + epoch * lengthS,
    endOfS: (epoch) => startS + (epoch + 1) * lengthS,
  };
}
