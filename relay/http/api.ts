/**
 * The public HTTP API (README documents it): rooms, tokens, files, health.
 * Every error is JSON `{ error: { code, message } }` with its status.
 */
import { Hono } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { RoomKind } from '../../shared/rooms.js';
import { forkProject } from '../../shared/schema/fork.js';
import { findFile, listFiles } from '../../shared/schema/project.js';
import { findTemplate, seedProject, TEMPLATES } from '../../shared/schema/templates.js';
import type { TokenClaims } from '../../shared/token.js';
import { randomId, type TokenSigner } from '../auth/tokens.js';
import { iceConfig } from '../auth/turn.js';
import type { RelayConfig } from '../config.js';
import type { Logger } from '../../server/log.js';
import type { RelayStats } from '../socket/context.js';
import type { RoomManager } from '../rooms/RoomManager.js';
import type { Storage } from '../storage/Storage.js';
import { HttpError } from './errors.js';
import { announceFork, createRoom, DEFAULT_GUEST_NAME, issueToken } from './newRoom.js';
import { shareRole } from './shortLinks.js';
import { loadExistingRoom } from './requests.js';
import { access, type RoomEnv } from './roomAccess.js';
import {
  CreateRoomBody,
  ForkBody,
  JoinBody,
  ROOM_NAME_MAX_CHARS,
  TokenBody,
} from '../../shared/api/bodies.js';
import { answer, jsonBody } from './validate.js';
import {
  FilesAnswer,
  HealthAnswer,
  IceAnswer,
  TemplatesAnswer,
  TokenAnswer,
} from '../../shared/api/answers.js';

export { ROOM_NAME_MAX_CHARS };
const DEFAULT_OWNER_NAME = 'Owner';

export interface ApiDeps {
  stats: RelayStats;
  config: RelayConfig;
  storage: Storage;
  rooms: RoomManager;
  signer: TokenSigner;
  log: Logger;
  /** With REDIS_URL: whether the relays' bus is up, and runs crossing relays. */
  cluster?: () => { redis: 'up' | 'down'; runsAway: number; runsHosted: number };
}

export function createApi({ config, storage, rooms, signer, log, stats, cluster }: ApiDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const issue = (claims: Omit<TokenClaims, 'exp'>, ttlSeconds = config.tokenTtlSeconds) =>
    issueToken(signer, claims, ttlSeconds);

  const loadRoom = (roomId: string) => loadExistingRoom(rooms, roomId);

  app.get('/healthz', (c) => {
    const memory = process.memoryUsage();
    return answer(c, HealthAnswer, {
      ok: true,
      rooms: rooms.loadedCount,
      connections: rooms.connectionCount,
      heldUpdateBytes: rooms.heldBytes,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      droppedSignals: stats.droppedSignals,
      ...(cluster && { cluster: cluster() }),
    });
  });

  app.get('/api/templates', (c) =>
    answer(
      c,
      TemplatesAnswer,
      TEMPLATES.map(({ id, name, language, entry, dev }) => ({ id, name, language, entry, dev })),
    ),
  );

  const newRoom = { config, storage, signer, log };

  app.post('/api/rooms', jsonBody(CreateRoomBody), async (c) => {
    const body = c.req.valid('json');
    const name = body.name ?? 'Untitled room';
    const ownerName = body.ownerName ?? DEFAULT_OWNER_NAME;
    const templateId = body.template ?? 'empty';
    const template = findTemplate(templateId);
    if (!template) throw new HttpError(400, ErrorCode.BadRequest, `unknown template "${templateId}"`);
    const kind = body.kind ?? RoomKind.Pair;
    return createRoom(newRoom, c, { name, ownerName, template: template.id, kind }, (doc) =>
      seedProject(doc, template, name),
    );
  });

  // Anyone in a room (viewers too) may copy its current files into a room of their own.
  app.post('/api/rooms/:roomId/fork', jsonBody(ForkBody), async (c) => {
    const roomId = c.req.param('roomId');
    const { claims } = access(c);
    const body = c.req.valid('json');
    const source = await loadRoom(roomId);
    source.applyPending();
    const name = body.name ?? `${source.controls.record.name} (fork)`.slice(0, ROOM_NAME_MAX_CHARS);
    const room = {
      name,
      ownerName: claims.name,
      template: source.controls.record.template,
      log: { forkedFrom: roomId },
    };
    const created = await createRoom(newRoom, c, room, (doc) => forkProject(source.doc, doc, name));
    announceFork(source, claims, 0);
    return created;
  });

  app.post('/api/rooms/:roomId/tokens', jsonBody(TokenBody), async (c) => {
    const roomId = c.req.param('roomId');
    const body = c.req.valid('json');
    const { policy } = access(c).room!.controls.record;
    const role = shareRole(body.role, policy.kind);
    const name = body.name ?? DEFAULT_GUEST_NAME;
    const ttl = body.ttlSeconds ?? config.tokenTtlSeconds;
    const maxTtl = config.tokenTtlSeconds;
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > maxTtl) {
      throw new HttpError(
        400,
        ErrorCode.BadRequest,
        `"ttlSeconds" must be a whole number from 1 to ${maxTtl}`,
      );
    }
    // A share link belongs to the room's current link generation; "reset links" retires it.
    const link = body.link === true ? { link: policy.linkGeneration } : {};
    return answer(
      c,
      TokenAnswer,
      { token: issue({ room: roomId, uid: randomId(9), name, role, ...link }, ttl) },
      201,
    );
  });

  // A share link's token names nobody in particular: trade it for a personal one, a new
  // person. It remembers the link's generation, so replacing the links retires the ones
  // nobody has used yet. The owner's token is traded for itself under another name (the
  // owner opening the room in another browser); no other personal token mints anyone.
  app.post('/api/rooms/:roomId/join', jsonBody(JoinBody), async (c) => {
    const roomId = c.req.param('roomId');
    const { claims } = access(c);
    const name = c.req.valid('json').name ?? claims.name;
    const { role, exp } = claims;
    const token =
      claims.link === undefined
        ? signer.sign({ room: roomId, uid: claims.uid, name, role, exp })
        : signer.sign({ room: roomId, uid: randomId(9), name, role, exp, via: claims.link });
    return answer(c, TokenAnswer, { token }, 201);
  });

  // WebRTC: ICE servers and this user's TURN credentials (never the secret).
  app.get('/api/rooms/:roomId/ice', (c) => {
    const { claims } = access(c);
    const settings = {
      urls: config.iceUrls,
      turnSecret: config.turnSecret,
      turnTtlSeconds: config.turnTtlSeconds,
      relayOnly: config.iceRelayOnly,
    };
    return answer(c, IceAnswer, iceConfig(settings, claims.uid, nowSeconds()));
  });

  app.get('/api/rooms/:roomId/files', async (c) => {
    const roomId = c.req.param('roomId');
    const room = await loadRoom(roomId);
    return answer(c, FilesAnswer, listFiles(room.doc));
  });

  app.get('/api/rooms/:roomId/files/*', async (c) => {
    const roomId = c.req.param('roomId');
    const prefix = `/api/rooms/${roomId}/files/`;
    let path: string;
    try {
      path = decodeURIComponent(c.req.path.slice(prefix.length));
    } catch {
      throw new HttpError(400, ErrorCode.BadRequest, 'path is not valid percent-encoding');
    }
    const room = await loadRoom(roomId);
    const file = findFile(room.doc, path);
    if (!file) throw new HttpError(404, ErrorCode.NotFound, `no file "${path}"`);
    return c.text(file.text.toString(), 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  app.all('/api/*', () => {
    throw new HttpError(404, ErrorCode.NotFound, 'no such endpoint');
  });

  return app;
}
