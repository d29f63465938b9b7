/**
 * Counts local edits that the relay has not yet confirmed as stored.
 *
 * Each local update bumps `seq`. After a connection has synced (and has answered
 * the relay's sync step 1, so every edit made offline is on its way) the client
 * sends `syncStatus { counter: seq }`; the relay echoes it once every earlier
 * update from that connection is stored. Edits carried over from an earlier page
 * load (kept in IndexedDB, counted in localStorage) are covered by the first echo
 * of a connection, because its sync step 2 carried them.
 *
 * The bytes of this page's unconfirmed updates are kept too: when the edit right
 * is taken away, they are what may be lost, and the page checks each one against
 * the relay's copy to say how many were (see discard.ts).
 */

/** Past this many unconfirmed updates (hours offline), the oldest bytes are let go. */
const KEPT_UPDATES_MAX = 20_000;

export class SyncTracker {
  private seq = 0;
  private acked = 0;
  private sent = 0;
  /** Unconfirmed updates of this page, oldest first, with their counter. */
  private kept: { seq: number; update: Uint8Array }[] = [];
  /** The newest counter whose bytes were let go. */
  private droppedUpTo = 0;

  constructor(private carried = 0) {}

  localEdit(update?: Uint8Array): void {
    this.seq++;
    if (!update) return;
    this.kept.push({ seq: this.seq, update });
    if (this.kept.length > KEPT_UPDATES_MAX) this.droppedUpTo = this.kept.shift()!.seq;
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
    this.kept = this.kept.filter((entry) => entry.seq > this.acked);
  }

  get unsent(): number {
    return this.seq - this.acked + this.carried;
  }

  /**
   * What is not confirmed: the updates this page still holds, and how many more
   * it cannot show (carried over from an earlier load, or past the cap).
   */
  unconfirmed(): { updates: Uint8Array[]; unknown: number } {
    const dropped = Math.max(0, this.droppedUpTo - this.acked);
    return { updates: this.kept.map((entry) => entry.update), unknown: this.carried + dropped };
  }
}
