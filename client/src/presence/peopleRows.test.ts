import { describe, expect, it } from 'vitest';
import type { Participant } from '../lib/roomApi.js';
import { peopleRows } from './peopleRows.js';
import type { Peer } from './presence.js';

const peer = (clientId: number, userId: string, name: string, self = false): Peer => ({
  clientId,
  userId,
  name,
  role: 'editor',
  color: '#0090ff',
  file: 'f1',
  selections: [],
  self,
});
const participant = (userId: string, name: string, online: boolean): Participant => ({
  userId,
  name,
  role: 'editor',
  online,
  canEdit: true,
});

describe('peopleRows', () => {
  it('joins the relay list with awareness: one row per person, yourself first, offline last', () => {
    const rows = peopleRows(
      [
        participant('u-zoe', 'Zoe', true),
        participant('u-amy', 'Amy', false),
        participant('u-me', 'Me', true),
      ],
      [peer(1, 'u-me', 'Me', true), peer(2, 'u-zoe', 'Zoe'), peer(3, 'u-zoe', 'Zoe')],
      'u-me',
    );
    expect(rows.map((r) => [r.name, r.online, r.self])).toEqual([
      ['Me', true, true],
      ['Zoe', true, false],
      ['Amy', false, false],
    ]);
    expect(rows[1]!.peer?.clientId).toBe(2);
    expect(rows[2]!.peer).toBeNull();
  });

  it('shows people awareness knows before the relay lists them, edit right unknown', () => {
    const rows = peopleRows(null, [peer(5, 'u-bob', 'Bob')], 'u-me');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: 'u-bob', online: true, canEdit: null, self: false });
  });
});
