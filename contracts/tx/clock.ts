/** Time source and sleep; injectable for tests. */
export interface TxClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const realTxClock: TxClock = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
