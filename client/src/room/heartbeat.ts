/**
 * Notices a dead socket within seconds. When the network goes away (Wi-Fi off,
 * a laptop lid, a relay that hangs) the browser does not close the WebSocket
 * for a long time: nothing arrives, and nothing says so. So the page pings
 * every HEARTBEAT_INTERVAL_MS and the relay answers each ping at once, in
 * order; a socket that answered nothing for HEARTBEAT_DEADLINE_MS while a ping
 * waited is dead. The worst case, the link dying just after an answer, is
 * noticed HEARTBEAT_DEADLINE_MS later.
 *
 * Timers of a background tab can be held back for up to a minute, so nothing
 * here counts timer calls: a ping gets at least ANSWER_WAIT_MIN_MS by the clock
 * to be answered, so that a tab's own sleep is never taken for a silent relay.
 */

export const HEARTBEAT_INTERVAL_MS = 2000;
export const HEARTBEAT_DEADLINE_MS = 4500;
const ANSWER_WAIT_MIN_MS = HEARTBEAT_DEADLINE_MS - HEARTBEAT_INTERVAL_MS;

/**
 * When the socket counts as dead (on the `performance.now()` clock): null while
 * no ping waits for its answer.
 */
export function deadAt(lastAnswerAt: number, waitingSince: number | null): number | null {
  if (waitingSince === null) return null;
  return Math.max(lastAnswerAt + HEARTBEAT_DEADLINE_MS, waitingSince + ANSWER_WAIT_MIN_MS);
}

export class Heartbeat {
  private lastAnswerAt = 0;
  /** When the oldest ping without an answer went out. */
  private waitingSince: number | null = null;
  private beat: ReturnType<typeof setInterval> | undefined;
  private check: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Sends one ping. */
    private readonly ping: () => void,
    /** The socket is dead: called once, after which the heartbeat is stopped. */
    private readonly dead: () => void,
  ) {}

  /** A socket that answers pings is open: ping now and every interval. */
  start(): void {
    this.stop();
    this.lastAnswerAt = performance.now();
    this.sendPing();
    this.beat = setInterval(() => this.sendPing(), HEARTBEAT_INTERVAL_MS);
  }

  /** The relay answered a ping. */
  answered(): void {
    this.lastAnswerAt = performance.now();
    this.waitingSince = null;
    clearTimeout(this.check);
  }

  stop(): void {
    clearInterval(this.beat);
    clearTimeout(this.check);
    this.beat = this.check = undefined;
    this.waitingSince = null;
  }

  private sendPing(): void {
    this.waitingSince ??= performance.now();
    this.ping();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.check);
    const at = deadAt(this.lastAnswerAt, this.waitingSince);
    if (at !== null) this.check = setTimeout(() => this.verify(), Math.max(0, at - performance.now()));
  }

  private verify(): void {
    const at = deadAt(this.lastAnswerAt, this.waitingSince);
    if (at === null) return;
    if (performance.now() < at) return this.schedule();
    this.stop();
    this.dead();
  }
}
