import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { decode, encode } from './protocol/codec.js';
import { ProtocolError } from './protocol/fields.js';
import { Direction, MessageType } from './protocol/table.js';
import {
  DEFAULT_SETTINGS,
  currentDriver,
  editRight,
  nextHandover,
  parseRoomSettings,
  type RoomSettings,
} from './rooms.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const settings = (change: Partial<RoomSettings> = {}): RoomSettings => ({
  name: 'room',
  ...DEFAULT_SETTINGS,
  ...change,
});
const ann = { uid: 'ann', role: 'editor' } as const;
const bob = { uid: 'bob', role: 'editor' } as const;
const owner = { uid: 'own', role: 'owner' } as const;

describe('editRight', () => {
  it('open rooms: every edit role edits, viewers never', () => {
    expect(editRight(settings(), ann, T0)).toEqual({ canEdit: true, reason: null });
    expect(editRight(settings(), { uid: 'i', role: 'interviewer' }, T0).canEdit).toBe(true);
    expect(editRight(settings(), { uid: 'v', role: 'viewer' }, T0)).toMatchObject({
      canEdit: false,
      reason: expect.stringMatching(/read-only/),
    });
  });

  it('classroom: the owner and granted editors only', () => {
    const classroom = settings({ mode: 'classroom', editors: ['bob'] });
    expect(editRight(classroom, ann, T0)).toMatchObject({
      canEdit: false,
      reason: expect.stringMatching(/classroom/),
    });
    expect(editRight(classroom, bob, T0).canEdit).toBe(true);
    expect(editRight(classroom, owner, T0).canEdit).toBe(true);
    expect(editRight(classroom, { uid: 'bob', role: 'viewer' }, T0).canEdit).toBe(false);
  });

  it('an ended room is read-only for everyone, the owner too', () => {
    const ended = settings({ endedAt: T0 });
    for (const user of [ann, owner]) expect(editRight(ended, user, T0).reason).toMatch(/ended/);
  });

  it('the driver timer alternates the keyboard and nobody else edits meanwhile', () => {
    const driver = { userIds: ['ann', 'bob'] as [string, string], periodMs: 5 * MINUTE, startedAt: T0 };
    const timed = settings({ driver });
    expect(editRight(timed, ann, T0).canEdit).toBe(true);
    expect(editRight(timed, bob, T0)).toMatchObject({
      canEdit: false,
      reason: expect.stringMatching(/navigating/),
    });
    expect(editRight(timed, owner, T0).canEdit).toBe(false);
    const swap = T0 + 5 * MINUTE;
    expect(editRight(timed, ann, swap - 1).canEdit).toBe(true);
    expect(editRight(timed, ann, swap).canEdit).toBe(false);
    expect(editRight(timed, bob, swap).canEdit).toBe(true);
    expect(currentDriver(driver, T0 + 10 * MINUTE)).toBe('ann');
    expect(nextHandover(driver, T0 + 1)).toBe(swap);
    expect(nextHandover(driver, swap)).toBe(swap + 5 * MINUTE);
    expect(currentDriver(driver, T0 - 1000)).toBe('ann');
  });
});

describe('parseRoomSettings', () => {
  it('accepts what it is given and rejects each malformed field', () => {
    const good = settings({
      mode: 'classroom',
      editors: ['a'],
      driver: { userIds: ['a', 'b'], periodMs: MINUTE, startedAt: T0 },
    });
    expect(parseRoomSettings(JSON.parse(JSON.stringify(good)))).toEqual(good);
    const bad: unknown[] = [
      null,
      'x',
      { ...good, kind: 'party' },
      { ...good, mode: 'lecture' },
      { ...good, editors: 'a' },
      { ...good, editors: [1] },
      { ...good, endedAt: -1 },
      { ...good, name: 7 },
      { ...good, driver: { userIds: ['a', 'a'], periodMs: MINUTE, startedAt: T0 } },
      { ...good, driver: { userIds: ['a', 'b'], periodMs: 1000, startedAt: T0 } },
      { ...good, driver: { userIds: ['a'], periodMs: MINUTE, startedAt: T0 } },
    ];
    for (const value of bad) expect(() => parseRoomSettings(value)).toThrow();
  });
});

describe('roomState codec', () => {
  const message = {
    type: MessageType.RoomState,
    settings: settings({ kind: 'interview' }),
    canEdit: false,
    reason: 'because',
    notes: true,
    serverTime: T0,
  } as const;

  it('round-trips', () => {
    expect(decode(Direction.RelayToClient, encode(message))).toEqual(message);
  });

  it('rejects malformed bodies with a ProtocolError', () => {
    const frame = (body: string, trailing = false) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.RoomState);
      encoding.writeVarString(encoder, body);
      if (trailing) encoding.writeVarUint(encoder, 1);
      return encoding.toUint8Array(encoder);
    };
    const json = (change: Record<string, unknown>) => JSON.stringify({ ...message, ...change });
    const bad = [
      frame('not json'),
      frame('[]'),
      frame(json({ canEdit: 'yes' })),
      frame(json({ reason: 5 })),
      frame(json({ serverTime: 1.5 })),
      frame(json({ settings: { ...message.settings, mode: 'x' } })),
      frame(json({}), true),
      Uint8Array.of(MessageType.RoomState),
      Uint8Array.of(MessageType.Welcome, 0),
    ];
    for (const bytes of bad) expect(() => decode(Direction.RelayToClient, bytes)).toThrow(ProtocolError);
  });
});
