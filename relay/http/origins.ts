/**
 * Which web pages may act on this relay. A browser names the page's origin in
 * `Origin` on every WebSocket upgrade and every state-changing request; a page
 * on another site that got hold of a token must not open a room's socket with
 * it or change anything. Allowed: the relay's own origin (TANDEM_PUBLIC_URL,
 * or the host the request came to, which is what a page served by this relay,
 * or by a proxy in front of it, sends), and the origins of
 * TANDEM_ALLOWED_ORIGINS besides. A request without `Origin` is not a
 * browser's cross-site one (the CLI, the SDK in Node, a runner) and passes;
 * `Origin: null` (a sandboxed frame, a file) does not.
 *
 * CORS answers only the listed origins: a page there may call the API with a
 * token (the SDK in a browser); for anyone else the browser keeps the answer
 * from the page, as it does today.
 */
import type { MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { HttpError } from './errors.js';

export interface OriginRule {
  /** TANDEM_ALLOWED_ORIGINS: other sites' origins allowed besides the relay's own; null: none. */
  allowedOrigins: readonly string[] | null;
  publicUrl: string | null;
}

/** Methods that change nothing: not checked (a page may link to the relay). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CORS_MAX_AGE_S = 600;

/** Whether a request carrying `origin` (the header, if any) to `host` may act. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  rule: OriginRule,
): boolean {
  if (origin === undefined || origin === '') return true;
  if (origin === 'null') return false;
  if (rule.allowedOrigins?.includes(origin)) return true;
  if (rule.publicUrl !== null && origin === rule.publicUrl) return true;
  let pageHost: string;
  try {
    pageHost = new URL(origin).host;
  } catch {
    return false;
  }
  return host !== undefined && pageHost === host.toLowerCase();
}

/** The refusal a page of another site gets, as an HTTP error. */
export function originRefusal(origin: string): HttpError {
  return new HttpError(
    403,
    ErrorCode.Forbidden,
    `requests from ${origin.slice(0, 200)} are not allowed here (TANDEM_ALLOWED_ORIGINS)`,
  );
}

/** For a WebSocket upgrade: throws the refusal when the page's origin may not connect. */
export function checkUpgradeOrigin(req: IncomingMessage, rule: OriginRule): void {
  const origin = req.headers.origin;
  if (!originAllowed(origin, req.headers.host, rule)) throw originRefusal(origin!);
}

/**
 * For the API: state-changing requests from another site's page are refused;
 * listed origins get CORS answers (and their preflights a 204).
 */
export function originCheck(rule: OriginRule): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = originAllowed(origin, c.req.header('host'), rule);
    const listed = allowed && origin !== undefined && (rule.allowedOrigins?.includes(origin) ?? false);
    if (listed) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      if (!listed) throw originRefusal(origin ?? 'an unknown origin');
      c.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      c.header('Access-Control-Max-Age', String(CORS_MAX_AGE_S));
      return c.body(null, 204);
    }
    if (!allowed && !SAFE_METHODS.has(c.req.method)) throw originRefusal(origin!);
    await next();
  };
}
