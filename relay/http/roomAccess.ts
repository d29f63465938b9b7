/**
 * Who may do what under `/api/rooms/:roomId`: one table and one middleware, in
 * front of every route of a room. The middleware checks the bearer token (this
 * room's, not expired, not a removed user's, not a retired link's) and then the
 * right the route needs:
 *
 *   member  any token of the room (reads)
 *   review  a member who may see the history and fork (`mayReview`: in an
 *           interview, the owner and interviewers unless the owner opened it)
 *   link    a share-link token (trading it for a personal one), or the owner's
 *   manage  the owner (settings, tokens, removing people)
 *   edit    whoever may change the room now, by the same rule as document
 *           updates (`Room.editRight`: role, classroom grants, driver, ended)
 *
 * A write route missing from the table needs `edit`: a new way to change a
 * room is closed until someone says otherwise here. Routes read the result
 * with `access(c)`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { canManage } from '../../shared/roles.js';
import { mayReview } from '../../shared/rooms.js';
import type { TokenClaims } from '../../shared/token.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { Room } from '../rooms/Room.js';
import { admission } from '../rooms/RoomControls.js';
import type { RoomManager } from '../rooms/RoomManager.js';
import type { Storage } from '../storage/Storage.js';
import { admissionError, HttpError, tokenError } from './errors.js';
import { loadExistingRoom } from './requests.js';

export type Need = 'member' | 'review' | 'link' | 'manage' | 'edit';

interface Rule {
  methods: readonly string[];
  /** The path after `/api/rooms/:roomId`. */
  path: RegExp;
  need: Need;
  /** For a refusal: "you cannot ... now". */
  action?: string;
}

const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const ROOM_RIGHTS: readonly Rule[] = [
  { methods: READ, path: /^\/history(\/.*)?$/, need: 'review', action: 'see its history' },
  { methods: READ, path: /^(\/.*)?$/, need: 'member' },
  { methods: ['POST'], path: /^\/join$/, need: 'link' },
  { methods: ['POST'], path: /^\/(fork|history\/fork)$/, need: 'review', action: 'fork it' },
  // Everyone in the room sees the same app; entering it changes nothing in the room.
  { methods: ['POST'], path: /^\/previews\/[a-z0-9]+\/ticket$/, need: 'member' },
  { methods: ['PATCH'], path: /^$/, need: 'manage' },
  { methods: ['POST'], path: /^\/(tokens|links|links\/reset|kick|end)$/, need: 'manage' },
  { methods: ['PUT', 'DELETE'], path: /^\/(editors\/[^/]+|driver)$/, need: 'manage' },
  { methods: ['POST'], path: /^\/runs$/, need: 'edit', action: 'run it' },
  { methods: ['POST'], path: /^\/restore$/, need: 'edit', action: 'restore it' },
  { methods: ['PUT', 'DELETE'], path: /^\/env\/[^/]+$/, need: 'edit', action: 'change its variables' },
];

export function ruleOf(method: string, subpath: string): Pick<Rule, 'need' | 'action'> {
  const rule = ROOM_RIGHTS.find((r) => r.methods.includes(method) && r.path.test(subpath));
  if (rule) return rule;
  return { need: (WRITE as readonly string[]).includes(method) ? 'edit' : 'member' };
}

export interface RoomAccess {
  claims: TokenClaims;
  /** The loaded room, for `edit` and `manage` (they decide by it); null otherwise. */
  room: Room | null;
}

export type RoomEnv = { Variables: { access: RoomAccess } };

/** What the middleware found for this request; only routes under a room have it. */
export function access(c: Context<RoomEnv>): RoomAccess {
  const found = c.get('access');
  if (!found) throw new Error(`no room access checked for ${c.req.path}`);
  return found;
}

/** The bearer token of a request, or null. */
export function bearerToken(c: Context): string | null {
  return /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? null;
}

export function roomAccess(
  signer: TokenSigner,
  rooms: RoomManager,
  storage: Storage,
): MiddlewareHandler<RoomEnv> {
  return async (c, next) => {
    const roomId = c.req.param('roomId') ?? '';
    const prefix = `/api/rooms/${roomId}`;
    const subpath = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : c.req.path;
    const { need, action = 'do this' } = ruleOf(c.req.method, subpath);

    const token = bearerToken(c);
    if (!token) throw new HttpError(401, ErrorCode.Unauthorised, 'missing "Authorization: Bearer <token>"');
    const verified = signer.verify(token);
    if (!verified.ok) throw tokenError(verified);
    const claims = verified.claims;
    if (claims.room !== roomId) throw new HttpError(403, ErrorCode.Forbidden, 'token is for another room');

    let room: Room | null = null;
    if (need === 'edit' || need === 'manage') room = await loadExistingRoom(rooms, roomId);
    const loaded = room ?? rooms.peek(roomId);
    const refusal = loaded
      ? admissionError(loaded.controls.admits(claims))
      : await admissionOfStored(storage, roomId, claims);
    if (refusal) throw refusal;

    if (need === 'link' && claims.link === undefined && !canManage(claims.role)) {
      throw new HttpError(403, ErrorCode.Forbidden, 'only a share link can be traded for a personal token');
    }
    if (need === 'review') {
      const policy = loaded?.controls.record.policy ?? (await storage.getRoom(roomId))?.policy;
      if (policy && !mayReview(policy, claims.role))
        throw new HttpError(
          403,
          ErrorCode.Forbidden,
          `in this interview only the owner and interviewers may ${action}`,
        );
    }
    if (need === 'manage' && !canManage(claims.role)) {
      throw new HttpError(403, ErrorCode.Forbidden, 'only the owner can do this');
    }
    if (need === 'edit') {
      const right = room!.controls.editRight(claims);
      if (!right.canEdit)
        throw new HttpError(
          403,
          ErrorCode.ReadOnly,
          `you cannot edit this room now (${right.reason}), so you cannot ${action}`,
        );
    }
    c.set('access', { claims, room });
    await next();
  };
}

/** Admission for a room that is not loaded: its stored record (and users, for retired links). */
async function admissionOfStored(
  storage: Storage,
  roomId: string,
  claims: TokenClaims,
): Promise<HttpError | null> {
  const record = await storage.getRoom(roomId);
  if (!record) return null; // the route answers 404
  const retired = claims.via !== undefined && claims.via !== record.policy.linkGeneration;
  const users = retired ? new Set((await storage.listUsers(roomId)).map((user) => user.uid)) : null;
  return admissionError(admission(record.policy, claims, (uid) => users?.has(uid) ?? false));
}
