import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, RoomMode, type RoomSettings } from '../../../shared/rooms.js';
import { showsCursor } from './cursorRule.js';

const open: RoomSettings = { ...DEFAULT_SETTINGS, name: 'Lesson' };
const classroom: RoomSettings = { ...open, mode: RoomMode.Classroom, editors: ['u-ann'] };

describe('showsCursor', () => {
  it('open mode: everyone with an edit role, never a viewer', () => {
    expect(showsCursor(open, { userId: 'u-bob', role: 'editor' })).toBe(true);
    expect(showsCursor(open, { userId: 'u-ivy', role: 'interviewer' })).toBe(true);
    expect(showsCursor(open, { userId: 'u-vic', role: 'viewer' })).toBe(false);
    expect(showsCursor(null, { userId: 'u-bob', role: 'editor' })).toBe(true);
  });

  it('classroom mode: the owner and the granted editors only', () => {
    expect(showsCursor(classroom, { userId: 'u-own', role: 'owner' })).toBe(true);
    expect(showsCursor(classroom, { userId: 'u-ann', role: 'editor' })).toBe(true);
    expect(showsCursor(classroom, { userId: 'u-bob', role: 'editor' })).toBe(false);
    expect(showsCursor({ ...classroom, editors: ['u-vic'] }, { userId: 'u-vic', role: 'viewer' })).toBe(
      false,
    );
  });
});
