import { describe, expect, it, vi } from 'vitest';
import { ROOM_ID_PATTERN } from '../../../shared/rooms.js';

// route.ts reads the page's location and listens to history when it loads.
vi.stubGlobal('location', { pathname: '/', hash: '' });
vi.stubGlobal('addEventListener', () => {});
const { parseRoute } = await import('./route.js');

describe('parseRoute', () => {
  it('reads a room link with its token from the fragment', () => {
    expect(parseRoute('/r/abc_D-9', '#token=t.k')).toEqual({
      page: 'room',
      roomId: 'abc_D-9',
      linkToken: 't.k',
    });
    expect(parseRoute('/r/abc/', '')).toEqual({ page: 'room', roomId: 'abc', linkToken: null });
  });

  it('takes exactly the room ids the relay takes', () => {
    for (const id of ['a', 'x'.repeat(64), 'x'.repeat(65), 'a.b', 'ä', '']) {
      const route = parseRoute(`/r/${id}`, '');
      expect(route.page === 'room', id).toBe(ROOM_ID_PATTERN.test(id));
    }
    expect(ROOM_ID_PATTERN.test('x'.repeat(64))).toBe(true);
    expect(ROOM_ID_PATTERN.test('x'.repeat(65))).toBe(false);
  });
});
