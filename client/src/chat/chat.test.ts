import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, RoomMode, type RoomSettings } from '../../../shared/rooms.js';
import { chatRefusal } from './chat.js';

const settings = (change: Partial<RoomSettings>): RoomSettings => ({
  ...DEFAULT_SETTINGS,
  name: 'Lesson',
  ...change,
});

describe('chatRefusal', () => {
  it('lets viewers and students without the edit right chat', () => {
    const classroom = settings({ mode: RoomMode.Classroom });
    expect(chatRefusal(classroom, 'editor')).toBeNull();
    expect(chatRefusal(classroom, 'viewer')).toBeNull();
    expect(chatRefusal(null, 'viewer')).toBeNull();
  });

  it('says why when the owner muted the chat, to everyone but those who lead the room', () => {
    const muted = settings({ chatMuted: true });
    expect(chatRefusal(muted, 'editor')).toBe('The owner muted the chat');
    expect(chatRefusal(muted, 'viewer')).toBe('The owner muted the chat');
    expect(chatRefusal(muted, 'owner')).toBeNull();
    expect(chatRefusal({ ...muted, kind: 'interview' }, 'interviewer')).toBeNull();
  });

  it('closes the chat of an ended room for everyone', () => {
    expect(chatRefusal(settings({ endedAt: 1 }), 'owner')).toBe('This room has ended: the chat is closed');
  });
});
