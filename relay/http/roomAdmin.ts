/**
 * The room's settings over HTTP: what anyone in the room may read (settings,
 * participants, their own edit right) and what only the owner may change (name,
 * mode, classroom editors, driver timer, removing someone, ending the room).
 * Every change is stored, then pushed to every live connection as `roomState`,
 * and the relay enforces it from the next message on: nothing here trusts the
 * document.
 */
import { Hono, type Context } from 'hono';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { canReadNotes } from '../../shared/roles.js';
import { RoomKind, isUserId } from '../../shared/rooms.js';
import { metaOf } from '../../shared/schema/project.js';
import type { TokenClaims } from '../../shared/token.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { Connection } from '../rooms/Connection.js';
import { notesRoomId } from '../rooms/notes.js';
import type { Room } from '../rooms/Room.js';
import type { RoomManager } from '../rooms/RoomManager.js';
import type { RoomPolicy, Storage } from '../storage/Storage.js';
import { HttpError } from './errors.js';
import { loadExistingRoom } from './requests.js';
import { access, type RoomEnv } from './roomAccess.js';
import { DriverBody, KickBody, RoomPatchBody } from '../../shared/api/bodies.js';
import { answer, jsonBody } from './validate.js';
import { ClosedAnswer, RoomAnswer, SettingsAnswer } from '../../shared/api/answers.js';

const MINUTE_MS = 60_000;

export interface RoomAdminDeps {
  storage: Storage;
  rooms: RoomManager;
  signer: TokenSigner;
}

export function createRoomAdminApi({ storage, rooms }: RoomAdminDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();

  /** The caller's claims and the loaded room (roomAccess has checked the right the route needs). */
  const enter = async (c: Context<RoomEnv>): Promise<{ claims: TokenClaims; room: Room }> => {
    const { claims, room } = access(c);
    return { claims, room: room ?? (await loadExistingRoom(rooms, c.req.param('roomId')!)) };
  };
  const owner = enter;
  const settingsOf = (c: Context, room: Room) =>
    answer(c, SettingsAnswer, { settings: room.controls.settings });
  /** Closes the matching sockets of the room and of its private notes (if open); returns how many. */
  const closeWhere = (room: Room, match: (conn: Connection) => boolean, code: CloseCode, reason?: string) => {
    let closed = 0;
    for (const target of [room, rooms.peek(notesRoomId(room.id))]) {
      for (const conn of target?.connections ?? []) {
        if (!match(conn)) continue;
        conn.close(code, reason);
        closed++;
      }
    }
    return closed;
  };
  /** Closes sockets whose token the room no longer admits after its links changed. */
  const closeRetired = (room: Room) =>
    closeWhere(
      room,
      (conn) => room.controls.admits(conn.claims) === 'link_replaced',
      CloseCode.Forbidden,
      'the owner replaced this link with a new one',
    );
  const setPolicy = (room: Room, change: (policy: RoomPolicy) => RoomPolicy | null) =>
    room.controls.update((record) => {
      const policy = change(record.policy);
      return policy ? { policy } : null;
    });

  app.get('/api/rooms/:roomId', async (c) => {
    const { claims, room } = await enter(c);
    const online = new Set([...room.connections].map((conn) => conn.claims.uid));
    const users = await storage.listUsers(room.id);
    const right = room.controls.editRight(claims);
    return answer(c, RoomAnswer, {
      id: room.id,
      createdAt: room.controls.record.createdAt,
      settings: room.controls.settings,
      you: {
        userId: claims.uid,
        name: claims.name,
        role: claims.role,
        canEdit: right.canEdit,
        reason: right.reason,
        notes: room.controls.record.policy.kind === RoomKind.Interview && canReadNotes(claims.role),
      },
      participants: users
        .filter((user) => !room.controls.isRemoved(user.uid))
        .map((user) => ({
          userId: user.uid,
          name: user.name,
          role: user.role,
          online: online.has(user.uid),
          canEdit: room.controls.mayEdit(user),
        })),
    });
  });

  app.patch('/api/rooms/:roomId', jsonBody(RoomPatchBody), async (c) => {
    const { claims, room } = await owner(c);
    const { name, ...changes } = c.req.valid('json');
    // Only the settings given: null and absent leave a setting as it is.
    const given = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== null && value !== undefined),
    );
    await room.controls.update((record) => ({
      ...(name !== undefined && name !== null && { name }),
      ...(Object.keys(given).length > 0 && { policy: { ...record.policy, ...given } }),
    }));
    // The document's copy of the name is for display; the database above is the authority.
    if (name !== undefined && name !== null)
      await room.change(claims.uid, (doc) => metaOf(doc).set('name', name));
    return settingsOf(c, room);
  });

  app.put('/api/rooms/:roomId/editors/:userId', async (c) => {
    const { room } = await owner(c);
    const userId = param(c, 'userId');
    if (room.controls.isRemoved(userId))
      throw new HttpError(409, ErrorCode.BadRequest, 'that user was removed');
    await setPolicy(room, (policy) =>
      policy.editors.includes(userId) ? null : { ...policy, editors: [...policy.editors, userId] },
    );
    return settingsOf(c, room);
  });

  app.delete('/api/rooms/:roomId/editors/:userId', async (c) => {
    const { room } = await owner(c);
    const userId = param(c, 'userId');
    await setPolicy(room, (policy) =>
      policy.editors.includes(userId)
        ? { ...policy, editors: policy.editors.filter((uid) => uid !== userId) }
        : null,
    );
    return settingsOf(c, room);
  });

  // Removing someone bars their user id; with `resetLinks` the share links are replaced in the
  // same step, which also retires every spare token minted from them that nobody used yet.
  app.post('/api/rooms/:roomId/kick', jsonBody(KickBody), async (c) => {
    const { claims, room } = await owner(c);
    const body = c.req.valid('json');
    const { userId } = body;
    if (userId === claims.uid || userId === room.controls.record.ownerId) {
      throw new HttpError(400, ErrorCode.BadRequest, 'the owner cannot remove themselves');
    }
    const resetLinks = body.resetLinks === true;
    await setPolicy(room, (policy) => ({
      ...policy,
      removed: policy.removed.includes(userId) ? policy.removed : [...policy.removed, userId],
      editors: policy.editors.filter((uid) => uid !== userId),
      driver: policy.driver?.userIds.includes(userId) ? null : policy.driver,
      linkGeneration: policy.linkGeneration + (resetLinks ? 1 : 0),
    }));
    const closed =
      closeWhere(room, (conn) => conn.claims.uid === userId, CloseCode.Removed) +
      (resetLinks ? closeRetired(room) : 0);
    return answer(c, ClosedAnswer, { closed, linkGeneration: room.controls.record.policy.linkGeneration });
  });

  // New share links: every link made before stops joining; people already in keep their personal tokens.
  app.post('/api/rooms/:roomId/links/reset', async (c) => {
    const { room } = await owner(c);
    await setPolicy(room, (policy) => ({ ...policy, linkGeneration: policy.linkGeneration + 1 }));
    const closed = closeRetired(room);
    return answer(c, ClosedAnswer, { linkGeneration: room.controls.record.policy.linkGeneration, closed });
  });

  app.post('/api/rooms/:roomId/end', async (c) => {
    const { room } = await owner(c);
    await setPolicy(room, (policy) =>
      policy.endedAt === null ? { ...policy, endedAt: Date.now(), driver: null } : null,
    );
    return settingsOf(c, room);
  });

  app.put('/api/rooms/:roomId/driver', jsonBody(DriverBody), async (c) => {
    const { room } = await owner(c);
    const { userIds, minutes } = c.req.valid('json');
    const periodMs = Math.round(minutes * MINUTE_MS);
    if (room.controls.record.policy.endedAt !== null) {
      throw new HttpError(409, ErrorCode.ReadOnly, 'this room has ended');
    }
    const pair: [string, string] = [userIds[0], userIds[1]];
    if (pair.some((uid) => room.controls.isRemoved(uid))) {
      throw new HttpError(409, ErrorCode.BadRequest, 'one of them was removed from the room');
    }
    await setPolicy(room, (policy) => ({
      ...policy,
      driver: { userIds: pair, periodMs, startedAt: Date.now() },
    }));
    return settingsOf(c, room);
  });

  app.delete('/api/rooms/:roomId/driver', async (c) => {
    const { room } = await owner(c);
    await setPolicy(room, (policy) => (policy.driver ? { ...policy, driver: null } : null));
    return settingsOf(c, room);
  });

  return app;
}

function param(c: Context, name: string): string {
  const value = c.req.param(name);
  if (!isUserId(value)) throw new HttpError(400, ErrorCode.BadRequest, `bad ${name}`);
  return value;
}
