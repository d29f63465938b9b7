/**
 * `GET /metrics`: the relay's figures in Prometheus' text format (metrics.ts),
 * for whoever has TANDEM_METRICS_TOKEN (`Authorization: Bearer <token>`).
 * Without that option the route does not exist (404): nothing about the
 * relay's load is public.
 */
import { Hono } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { bearerMatches } from '../auth/bearer.js';
import type { RelayMetrics } from '../metrics.js';
import { HttpError } from './errors.js';

export function metricsRoute(metrics: RelayMetrics, token: string | null): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (token === null) throw new HttpError(404, ErrorCode.NotFound, 'not found');
    if (!bearerMatches(c.req.header('authorization'), token)) {
      throw new HttpError(
        401,
        ErrorCode.Unauthorised,
        'metrics need "Authorization: Bearer <TANDEM_METRICS_TOKEN>"',
      );
    }
    const { body, contentType } = await metrics.scrape();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
  return app;
}
