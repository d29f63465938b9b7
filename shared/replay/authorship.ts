/**
 * Who wrote what: every character of a Yjs document carries an id (client id,
 * clock), and the log says which user sent the update that first brought each
 * id to the relay. `Authorship` keeps, per client id, the clock ranges each
 * update brought, with a rank (the order the updates arrived: the entry index
 * for the log, counting on for live updates) and the user. "Who last wrote" a
 * character is then a range lookup, and ranks compare across clients.
 *
 * Ranges are attributed update by update, not client by client, because one
 * client id is not always one user: the relay's own document makes every
 * restore, whoever asked for it, and a peer can hand on another's updates.
 * Clocks already seen keep their first writer.
 *
 * `lineAuthors` walks a Y.Text's items (Yjs internals: `_start`, `right`,
 * `deleted`, `content`, `id`) and gives each line the user whose character on
 * it was written last.
 */
import * as Y from 'yjs';
import type { ReplayEntry } from './bundle.js';
import { lastAtOrBefore } from './search.js';

/** The author recorded for a live update whose client nobody could name. */
export const UNKNOWN_AUTHOR = '';

export interface Write {
  /** User id (`UNKNOWN_AUTHOR` when unknown). */
  author: string;
  /** Order of arrival: higher is later. */
  rank: number;
  /** When it was stored or received, ms since the epoch. */
  at: number;
}

/** Disjoint clock ranges of one client, sorted by start. */
interface ClientRanges {
  starts: number[];
  ends: number[];
  ranks: number[];
  authors: string[];
}

export class Authorship {
  /** The log, entry i at rank i. */
  static fromEntries(entries: readonly Pick<ReplayEntry, 'author' | 'at' | 'data'>[]): Authorship {
    const authorship = new Authorship();
    for (const entry of entries) authorship.add(entry.data, entry.author, entry.at);
    return authorship;
  }

  private readonly ranges = new Map<number, ClientRanges>();
  private readonly users = new Map<number, string>();
  /** When each rank's update was stored or received. */
  private readonly times: number[] = [];

  /** Ranks given so far (the next update gets this rank). */
  get size(): number {
    return this.times.length;
  }

  /** Client id -> the user of the first update that carried its structs. */
  get clients(): ReadonlyMap<number, string> {
    return this.users;
  }

  userOfClient(client: number): string | undefined {
    return this.users.get(client);
  }

  /**
   * Records one update's structs as written by `author` at `at`, with the next
   * rank. Throws if `update` is not a Yjs v1 update.
   */
  add(update: Uint8Array, author: string, at: number): void {
    this.addWith(update, () => author, at);
  }

  /**
   * A live update (one that arrived after the log was read): each client's
   * structs go to `authorOf(client)` (e.g. from awareness, where the relay
   * stamps each user's id), else to that client's known user, else to
   * UNKNOWN_AUTHOR. One rank for the whole update.
   */
  addLive(update: Uint8Array, at: number, authorOf?: (client: number) => string | undefined): void {
    this.addWith(update, (client) => authorOf?.(client) ?? this.users.get(client) ?? UNKNOWN_AUTHOR, at);
  }

  /** Who first wrote clock `clock` of `client`, or null if no recorded update carried it. */
  writerOf(client: number, clock: number): Write | null {
    return this.latestIn(client, clock, clock + 1);
  }

  /** The latest write among clocks [from, to) of `client`, or null if none is recorded. */
  latestIn(client: number, from: number, to: number): Write | null {
    const ranges = this.ranges.get(client);
    if (!ranges || to <= from) return null;
    let i = lastAtOrBefore(ranges.starts, from);
    if (i < 0 || ranges.ends[i]! <= from) i++;
    let best = -1;
    for (; i < ranges.starts.length && ranges.starts[i]! < to; i++) {
      if (best < 0 || ranges.ranks[i]! > ranges.ranks[best]!) best = i;
    }
    if (best < 0) return null;
    const rank = ranges.ranks[best]!;
    return { author: ranges.authors[best]!, rank, at: this.times[rank]! };
  }

  private addWith(update: Uint8Array, authorOf: (client: number) => string, at: number): void {
    const { structs } = Y.decodeUpdate(update);
    const rank = this.times.length;
    this.times.push(at);
    // Structs come grouped by client, clocks ascending; Skips are gaps, not writes.
    let client = -1;
    let author = UNKNOWN_AUTHOR;
    let start = 0;
    let end = 0;
    const flush = () => {
      if (end > start) this.insert(client, start, end, rank, author);
    };
    for (const struct of structs) {
      if (struct instanceof Y.Skip) continue;
      const { client: c, clock } = struct.id;
      if (c !== client) {
        flush();
        client = c;
        author = authorOf(c);
        if (!this.users.has(c) && author !== UNKNOWN_AUTHOR) this.users.set(c, author);
        start = end = clock;
      } else if (clock !== end) {
        flush();
        start = clock;
      }
      end = clock + struct.length;
    }
    flush();
  }

  /** Adds [start, end) at `rank`, minus what is already recorded. */
  private insert(client: number, start: number, end: number, rank: number, author: string): void {
    let ranges = this.ranges.get(client);
    if (!ranges) this.ranges.set(client, (ranges = { starts: [], ends: [], ranks: [], authors: [] }));
    const { starts, ends, ranks, authors } = ranges;
    const last = starts.length - 1;
    if (last < 0 || start >= ends[last]!) {
      // The usual case: a client's clocks arrive in order.
      if (last >= 0 && start === ends[last] && ranks[last] === rank) ends[last] = end;
      else {
        starts.push(start);
        ends.push(end);
        ranks.push(rank);
        authors.push(author);
      }
      return;
    }
    // Out of order (a gap filled later): insert the uncovered parts.
    let cursor = start;
    let i = lastAtOrBefore(starts, start);
    if (i < 0 || ends[i]! <= start) i++;
    while (cursor < end) {
      const nextStart = i < starts.length ? starts[i]! : Infinity;
      if (cursor < nextStart) {
        const gapEnd = Math.min(end, nextStart);
        starts.splice(i, 0, cursor);
        ends.splice(i, 0, gapEnd);
        ranks.splice(i, 0, rank);
        authors.splice(i, 0, author);
        cursor = gapEnd;
        i++;
      } else {
        cursor = Math.max(cursor, ends[i]!);
        i++;
      }
    }
  }
}

/** For each line of `text` (split at "\n"), the latest write of a character on it; null if none is known. */
export function lineAuthors(text: Y.Text, authorship: Authorship): (Write | null)[] {
  const lines: (Write | null)[] = [];
  let best: Write | null = null;
  let lineHasText = false;
  const consider = (client: number, from: number, to: number) => {
    const write = authorship.latestIn(client, from, to);
    if (write && (!best || write.rank > best.rank)) best = write;
  };
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
    const str = item.content.str;
    const { client, clock } = item.id;
    let from = 0;
    for (;;) {
      const newline = str.indexOf('\n', from);
      const to = newline < 0 ? str.length : newline;
      if (to > from) {
        consider(client, clock + from, clock + to);
        lineHasText = true;
      }
      if (newline < 0) break;
      // An empty line belongs to whoever wrote the newline that ends it.
      if (!lineHasText) consider(client, clock + newline, clock + newline + 1);
      lines.push(best);
      best = null;
      lineHasText = false;
      from = newline + 1;
    }
  }
  lines.push(best);
  return lines;
}
