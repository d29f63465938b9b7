/**
 * Short share links. `POST /api/rooms/:roomId/links {role}` (the owner) gives
 * a code that stands for that role at the room's current link generation, the
 * same code however often it is asked for; `/j/<code>` mints a fresh
 * share-link token when someone opens it and sends the browser to the room
 * with it in the fragment, exactly where a long link would have taken it.
 * "New links" moves the generation on, which retires every code with the
 * long links: a retired code still leads to its room, with a token of its own
 * generation, so the page says the link was replaced, as it does for a long
 * one. No account is involved, and long links keep working.
 */
import { Hono } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { Role } from '../../shared/roles.js';
import { RoomKind } from '../../shared/rooms.js';
import { ShortLinkAnswer } from '../../shared/api/answers.js';
import { ShortLinkBody } from '../../shared/api/bodies.js';
import { randomId, type TokenSigner } from '../auth/tokens.js';
import type { RelayConfig } from '../config.js';
import type { Storage } from '../storage/Storage.js';
import { HttpError } from './errors.js';
import { DEFAULT_GUEST_NAME, issueToken } from './newRoom.js';
import { rateLimit } from './rateLimit.js';
import { access, type RoomEnv } from './roomAccess.js';
import { answer, jsonBody } from './validate.js';

/** Codes opened per minute from one address: plenty for people, slow for guessing 64-bit codes. */
const OPENS_PER_MINUTE = 60;
const CODE = /^[A-Za-z0-9_-]{11}$/;

export interface ShortLinkDeps {
  config: RelayConfig;
  storage: Storage;
  signer: TokenSigner;
}

/** The roles a share link may carry in a room of this kind, or a 400 naming them. */
export function shareRole(role: unknown, kind: RoomKind): Exclude<Role, 'owner'> {
  const interview = kind === RoomKind.Interview;
  if (role === Role.Editor || role === Role.Viewer || (interview && role === Role.Interviewer)) return role;
  const roles = interview ? '"editor" (the candidate), "interviewer" or "viewer"' : '"editor" or "viewer"';
  throw new HttpError(400, ErrorCode.BadRequest, `role must be ${roles}`);
}

export function createShortLinksApi({ config, storage, signer }: ShortLinkDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();

  app.post('/api/rooms/:roomId/links', jsonBody(ShortLinkBody), async (c) => {
    const roomId = c.req.param('roomId');
    const { policy } = access(c).room!.controls.record;
    const role = shareRole(c.req.valid('json').role, policy.kind);
    const code = await storage.shortLink({
      code: randomId(8),
      roomId,
      role,
      generation: policy.linkGeneration,
      createdAt: Date.now(),
    });
    const base = config.publicUrl ?? new URL(c.req.url).origin;
    return answer(c, ShortLinkAnswer, { code, url: `${base}/j/${code}` }, 201);
  });

  app.get('/j/:code', rateLimit(OPENS_PER_MINUTE, 'links opened'), async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    const code = c.req.param('code');
    const link = CODE.test(code) ? await storage.findShortLink(code) : null;
    const room = link && (await storage.getRoom(link.roomId));
    if (!link || !room) return c.html(UNKNOWN_PAGE, 404);
    let role: Exclude<Role, 'owner'>;
    try {
      // What the database holds is checked like a request: a row that names no
      // share role for this room (edited by hand, corrupt) opens nothing.
      role = shareRole(link.role, room.policy.kind);
    } catch {
      c.get('log').warn('link.bad_role', { room: link.roomId });
      return c.html(UNKNOWN_PAGE, 404);
    }
    const claims = {
      room: link.roomId,
      uid: randomId(9),
      name: DEFAULT_GUEST_NAME,
      role,
      link: link.generation,
    };
    const token = issueToken(signer, claims, config.tokenTtlSeconds);
    return c.redirect(`/r/${encodeURIComponent(link.roomId)}#token=${encodeURIComponent(token)}`, 302);
  });

  return app;
}

const UNKNOWN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Link not valid · Tandem</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}</style>
</head><body><h1>This link does not open a room</h1>
<p>Check that it was copied whole, or ask whoever sent it for a new one.</p>
<p><a href="/">Tandem</a></p></body></html>
`;
