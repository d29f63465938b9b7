/**
 * Who deleted or renamed files. Yjs records no writer for a deletion (it only
 * marks items deleted) and the relay forwards updates without their sender, so
 * whoever changes the file list says so in their awareness state: a counter and
 * some of the file ids. The relay stamps every awareness state with its
 * sender's identity, so the name a change is matched to can be trusted.
 *
 * Awareness and document updates travel apart (the relay stores an update
 * before forwarding it), so either may arrive first: `whoChanged` answers from
 * what was announced lately, and `onAnnounce` tells when more arrives.
 */
import type { Awareness } from 'y-protocols/awareness';
import { readPeer, type Peer } from '../presence/presence.js';

const FIELD = 'filesChanged';
/** Ids per announcement: one is enough to match, and a state must stay small (the relay caps it). */
const IDS_MAX = 16;
/** An announcement older than this explains nothing that arrives now. */
const ANNOUNCEMENT_TTL_MS = 10_000;

interface Announcement {
  n: number;
  ids: ReadonlySet<string>;
  at: number;
  /** Read when it came: they may have left by the time their change arrives. */
  peer: Peer;
}

/** Says, in this page's awareness state, that it just deleted or renamed the files `ids`. */
export function announceFileChange(awareness: Awareness, ids: readonly string[]): void {
  const previous = readAnnouncement(awareness.getLocalState()?.[FIELD]);
  awareness.setLocalStateField(FIELD, { n: (previous?.n ?? 0) + 1, ids: ids.slice(0, IDS_MAX) });
}

function readAnnouncement(value: unknown): { n: number; ids: string[] } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { n, ids } = value as { n?: unknown; ids?: unknown };
  if (typeof n !== 'number' || !Array.isArray(ids)) return null;
  return { n, ids: ids.filter((id): id is string => typeof id === 'string').slice(0, IDS_MAX) };
}

export class Announcements {
  private readonly latest = new Map<number, Announcement>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly awareness: Awareness,
    private readonly now: () => number = Date.now,
  ) {
    awareness.on('change', this.onChange);
  }

  /** The person who most recently announced a change to one of `ids`, if lately. */
  whoChanged(ids: readonly string[]): Peer | null {
    let best: Announcement | null = null;
    const oldest = this.now() - ANNOUNCEMENT_TTL_MS;
    for (const announcement of this.latest.values()) {
      if (announcement.at < oldest || (best && best.at >= announcement.at)) continue;
      if (ids.some((id) => announcement.ids.has(id))) best = announcement;
    }
    return best?.peer ?? null;
  }

  /** Calls `listener` whenever someone announces a change; returns the unsubscribe. */
  onAnnounce(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.awareness.off('change', this.onChange);
  }

  private readonly onChange = (
    { added, updated }: { added: number[]; updated: number[] },
    origin: unknown,
  ): void => {
    if (origin === 'local') return;
    const now = this.now();
    for (const [clientId, { at }] of this.latest) {
      if (at < now - ANNOUNCEMENT_TTL_MS) this.latest.delete(clientId);
    }
    let fresh = false;
    for (const clientId of [...added, ...updated]) {
      const state = this.awareness.getStates().get(clientId);
      const announced = readAnnouncement(state?.[FIELD]);
      if (!state || !announced || this.latest.get(clientId)?.n === announced.n) continue;
      const peer = readPeer(clientId, state, this.awareness.clientID);
      if (!peer || peer.self) continue;
      this.latest.set(clientId, { n: announced.n, ids: new Set(announced.ids), at: now, peer });
      fresh = true;
    }
    if (fresh) for (const listener of this.listeners) listener();
  };
}
