/**
 * Every request gets an id (`X-Request-Id`, taken from the caller when it sends a
 * sane one) and a logger whose lines carry it as `req`; handlers log through
 * `c.get('log')`. Each request ends with one `http.request` line (debug) giving
 * its method, path (never the query string), status and time.
 */
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../server/log.js';

declare module 'hono' {
  interface ContextVariableMap {
    log: Logger;
  }
}

export function requestLog(log: Logger): MiddlewareHandler[] {
  const withLogger: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    const requestLogger = log.child({ req: c.get('requestId') });
    c.set('log', requestLogger);
    await next();
    requestLogger.debug('http.request', {
      method: c.req.method,
      url: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
  return [requestId(), withLogger];
}
