/**
 * A room's settings and the one rule that decides who may edit it now. The
 * relay's database holds the settings and the relay applies the rule to every
 * update; clients run the same rule only to explain it (the countdown to their
 * turn, why the editor is read-only), never to enforce it.
 */
import * as v from 'valibot';
import { Role, canEdit, canManage } from './roles.js';

/** A room id as it stands in a path: relay routes and client links share this one rule. */
export const ROOM_ID_SOURCE = '[A-Za-z0-9_-]{1,64}';
export const ROOM_ID_PATTERN = new RegExp(`^${ROOM_ID_SOURCE}$`);

export const RoomMode = {
  /** Everyone with an edit link edits. */
  Open: 'open',
  /** The owner picks who edits; only editors' cursors are shown. */
  Classroom: 'classroom',
} as const;
export type RoomMode = (typeof RoomMode)[keyof typeof RoomMode];

export const RoomKind = {
  Pair: 'pair',
  /** Interviewer and candidate roles; interviewers share private notes. */
  Interview: 'interview',
} as const;
export type RoomKind = (typeof RoomKind)[keyof typeof RoomKind];

/** Driver and navigator: the editing right alternates between two users every `periodMs`. */
export interface DriverTimer {
  /** The driver first, then the navigator. */
  userIds: [string, string];
  periodMs: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

export interface RoomSettings {
  name: string;
  kind: RoomKind;
  mode: RoomMode;
  /** Users the owner let edit in classroom mode. */
  editors: string[];
  /** When the owner ended the room (ms since the epoch); an ended room is read-only. */
  endedAt: number | null;
  driver: DriverTimer | null;
  /**
   * Interview rooms: whether the candidate and observers may see the room's
   * history and fork it too (otherwise only the owner and interviewers may).
   */
  historyForAll: boolean;
  /** Whether the owner muted the chat: then only the owner and interviewers post. */
  chatMuted: boolean;
  /**
   * Presenting: everyone else follows the owner (their file and view) on
   * joining and when this turns on, and may look elsewhere at any time.
   */
  followOwner: boolean;
}

export const DRIVER_PERIOD_MIN_MS = 30_000;
export const DRIVER_PERIOD_MAX_MS = 4 * 60 * 60_000;
const USER_ID_MAX_CHARS = 64;
const EDITORS_MAX = 1_000;
const NAME_MAX_CHARS = 100;

export const DEFAULT_SETTINGS: Omit<RoomSettings, 'name'> = {
  kind: RoomKind.Pair,
  mode: RoomMode.Open,
  editors: [],
  endedAt: null,
  driver: null,
  historyForAll: false,
  chatMuted: false,
  followOwner: false,
};

/** Who holds the keyboard at `now`. */
export function currentDriver(timer: DriverTimer, now: number): string {
  const turn = Math.floor(Math.max(0, now - timer.startedAt) / timer.periodMs);
  return timer.userIds[turn % 2]!;
}

/** When the keyboard next changes hands (ms since the epoch). */
export function nextHandover(timer: DriverTimer, now: number): number {
  const turn = Math.floor(Math.max(0, now - timer.startedAt) / timer.periodMs);
  return timer.startedAt + (turn + 1) * timer.periodMs;
}

export interface EditRight {
  readonly canEdit: boolean;
  /** Why not, in words for the person; null when they may edit. */
  readonly reason: string | null;
}

const ALLOWED: EditRight = Object.freeze({ canEdit: true, reason: null });
const refuse = (reason: string): EditRight => Object.freeze({ canEdit: false, reason });
const VIEW_ONLY = refuse('read-only: this link can view the room but not edit it');
const ENDED = refuse('this room has ended: it is read-only now');
const NAVIGATING = refuse('you are navigating: the driver has the keyboard');
const NOT_GRANTED = refuse('in this classroom the owner has not given you the right to edit');

/** May this user change the document at `now`? The relay's rule, checked on every update. */
export function editRight(settings: RoomSettings, user: { uid: string; role: Role }, now: number): EditRight {
  if (!canEdit(user.role)) return VIEW_ONLY;
  if (settings.endedAt !== null) return ENDED;
  if (settings.driver) {
    const driver = currentDriver(settings.driver, now);
    if (driver !== user.uid) return NAVIGATING;
    return ALLOWED;
  }
  if (
    settings.mode === RoomMode.Classroom &&
    user.role !== Role.Owner &&
    !settings.editors.includes(user.uid)
  ) {
    return NOT_GRANTED;
  }
  return ALLOWED;
}

const CHAT_ENDED = refuse('this room has ended: the chat is closed');
const CHAT_MUTED = refuse('the owner muted the chat');

/** The owner, and in an interview the interviewers: who leads the room. */
function leads(role: Role): boolean {
  return canManage(role) || role === Role.Interviewer;
}

/**
 * May this user post in the chat? Chat is a right of its own: everyone in the
 * room chats (viewers and students who may not edit included) until it ends,
 * unless the owner mutes it; whoever leads the room still posts.
 */
export function chatRight(settings: RoomSettings, role: Role): EditRight {
  if (settings.endedAt !== null) return CHAT_ENDED;
  return settings.chatMuted && !leads(role) ? CHAT_MUTED : ALLOWED;
}

/**
 * May this user see the room's history (and restore points) and fork it? In
 * an interview only the owner and interviewers, unless the owner opens it to
 * everyone; in other rooms everyone in it.
 */
export function mayReview(settings: Pick<RoomSettings, 'kind' | 'historyForAll'>, role: Role): boolean {
  return settings.kind !== RoomKind.Interview || settings.historyForAll || leads(role);
}

const time = (what: string) =>
  v.pipe(
    v.number(`${what} must be a time`),
    v.safeInteger(`${what} must be a time`),
    v.minValue(0, `${what} must be a time`),
  );
const userId = v.pipe(v.string(), v.minLength(1), v.maxLength(USER_ID_MAX_CHARS));

export const DriverTimerSchema = v.pipe(
  v.object(
    {
      userIds: v.pipe(
        v.tuple([userId, userId], 'driver.userIds must be two different user ids'),
        v.check(([a, b]) => a !== b, 'driver.userIds must be two different user ids'),
      ),
      periodMs: v.pipe(
        time('driver.periodMs'),
        v.check(
          (ms) => ms >= DRIVER_PERIOD_MIN_MS && ms <= DRIVER_PERIOD_MAX_MS,
          `driver.periodMs must be from ${DRIVER_PERIOD_MIN_MS} to ${DRIVER_PERIOD_MAX_MS}`,
        ),
      ),
      startedAt: time('driver.startedAt'),
    },
    'driver must be an object or null',
  ),
  v.transform((timer): DriverTimer => ({ ...timer, userIds: [timer.userIds[0], timer.userIds[1]] })),
);

/** A room's settings as storage, the HTTP API and `roomState` carry them. */
export const RoomSettingsSchema = v.object(
  {
    name: v.pipe(v.string('bad room name'), v.maxLength(NAME_MAX_CHARS, 'bad room name')),
    kind: v.picklist(Object.values(RoomKind), 'unknown room kind'),
    mode: v.picklist(Object.values(RoomMode), 'unknown room mode'),
    editors: v.pipe(
      v.array(userId, 'editors must be a list of user ids'),
      v.maxLength(EDITORS_MAX, 'editors must be a list of user ids'),
    ),
    endedAt: v.nullable(time('endedAt')),
    driver: v.nullable(DriverTimerSchema),
    // Added later: a stored room from before reads as false.
    historyForAll: v.optional(v.boolean('historyForAll must be true or false'), false),
    chatMuted: v.optional(v.boolean('chatMuted must be true or false'), false),
    followOwner: v.optional(v.boolean('followOwner must be true or false'), false),
  },
  'settings must be an object',
);

/** Validates settings read from storage or the wire; throws with what is wrong. */
export function parseRoomSettings(value: unknown): RoomSettings {
  const result = v.safeParse(RoomSettingsSchema, value);
  if (!result.success) throw new Error(result.issues[0].message);
  return result.output;
}

export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= USER_ID_MAX_CHARS;
}
