/**
 * At most `limit` MQTT handshakes (TCP connect to CONNACK) under way at once; the rest wait
 * their turn in call order. A connect storm of 10,000 trackers opened at once overflows the
 * broker's accept queue: the kernel resets or drops the handshakes it cannot queue (in one
 * city-10k run 146 failed with `read ECONNRESET` and a slice wait gave up after 143 had gone
 * unanswered for 2 s), those devices back off and come back a slice later, and the run's
 * readings differ from the run before.
 */
export class HandshakeLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`handshake limit must be a whole number ≥ 1, got ${limit}`);
  }

  /** Runs `handshake` once a slot is free; the slot is held until its promise settles. */
  async run<T>(handshake: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await handshake();
    } finally {
      // A freed slot passes straight to the next in line: `running` stays as it is.
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }

  /** Handshakes under way and waiting for a slot. */
  counts(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

/**
 * Handshakes a fleet runs at once: well under the broker's listen backlog (see
 * `LISTEN_BACKLOG`), and enough that 10,000 connect in seconds on loopback.
 */
export const DEFAULT_HANDSHAKES_AT_ONCE = 256;
