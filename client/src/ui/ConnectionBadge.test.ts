import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { RoomConnection } from '../room/connection.js';
import { connectionLabel } from './ConnectionBadge.js';

/** The parts of a connection the badge reads. */
function connection(state: { unsent: number; notSaved: string | null }) {
  return {
    socket: signal('connected'),
    synced: signal(true),
    unsent: signal(state.unsent),
    roundTripMs: signal(12),
    notSaved: signal(state.notSaved),
    canEdit: true,
  } as unknown as RoomConnection;
}

describe('the connection badge', () => {
  const full = 'The server cannot store changes right now (its disk is full).';

  it('says "Not saved" with the relay’s reason while it cannot store the edits made here', () => {
    expect(connectionLabel(connection({ unsent: 3, notSaved: full }))).toEqual({
      state: 'unsaved',
      text: 'Not saved · 3 edits kept in this browser',
      title: full,
    });
  });

  it('says "Saved" once every edit is acknowledged, and "Saving…" while some are on the way', () => {
    expect(connectionLabel(connection({ unsent: 0, notSaved: full })).text).toBe('Saved');
    expect(connectionLabel(connection({ unsent: 1, notSaved: null })).text).toBe('Saving…');
  });
});
