/**
 * HTTP for previews (README documents it):
 *   POST /api/rooms/:roomId/previews/:previewId/ticket   any token of the room:
 *        where this browser enters the preview (a one-minute, one-use ticket
 *        on the preview's own origin; previewAccess.ts)
 */
import { Hono } from 'hono';
import { PreviewTicketAnswer } from '../../shared/api/answers.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import type { PreviewKeys, PreviewOrigins } from '../previews/previewAccess.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import { HttpError } from './errors.js';
import { access, type RoomEnv } from './roomAccess.js';
import { answer } from './validate.js';

export interface PreviewsApiDeps {
  workspaces: Workspaces;
  previews: { keys: PreviewKeys; origins: PreviewOrigins };
}

export function createPreviewsApi({ workspaces, previews }: PreviewsApiDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();
  app.post('/api/rooms/:roomId/previews/:previewId/ticket', (c) => {
    const { claims } = access(c);
    const roomId = c.req.param('roomId');
    const previewId = c.req.param('previewId');
    const target = workspaces.preview(previewId);
    if (!target || target.room.id !== roomId)
      throw new HttpError(404, ErrorCode.NotFound, 'no such preview: its app may have stopped listening');
    const ticket = previews.keys.issue('ticket', previewId, roomId, claims);
    const origin = previews.origins.origin(previewId);
    return answer(c, PreviewTicketAnswer, {
      url: `${origin}/__tandem/enter?ticket=${encodeURIComponent(ticket.value)}`,
      origin,
      expiresAt: ticket.exp,
    });
  });
  return app;
}
