/**
 * Counts local edits that the relay has not yet confirmed as stored.
 *
 * Each local update bumps `seq`. After a connection has synced (and has answered
 * the relay's sync step 1, so every edit made offline is on its way) the client
 * sends `syncStatus { counter: seq }`; the relay echoes it once every earlier
 * update from that connection is stored. Edits carried over from an earlier page
 * load (kept in IndexedDB, counted in localStorage) are covered by the first echo
 * of a connection, because its sync step 2 carried them.
 */
export class SyncTracker {
  private seq = 0;
  private acked = 0;
  private sent = 0;

  constructor(private carried = 0) {}

  localEdit(): void {
    this.seq++;
  }

  /** Counter to send now, or null when there is nothing new to confirm. */
  counterToSend(): number | null {
    if (this.seq === this.sent && this.carried === 0) return null;
    this.sent = this.seq;
    return this.seq;
  }

  /** A new connection: whatever was sent on the old one must be confirmed again. */
  reconnected(): void {
    this.sent = this.acked;
  }

  ack(counter: number): void {
    if (counter > this.seq) return; // not ours (a counter from before a reload)
    this.acked = Math.max(this.acked, counter);
    this.carried = 0;
  }

  get unsent(): number {
    return this.seq - this.acked + this.carried;
  }
}
