/**
 * Request bodies checked at the edge: `jsonBody(schema)` is Hono's
 * standard-validator middleware with a shared schema (shared/api/bodies.ts),
 * answering a failed check with a 400 `bad_request` whose message is the
 * schema's sentence; handlers read `c.req.valid('json')`, already typed.
 * `jsonOnly` (on every /api route, after the size cap) refuses a body that is
 * not declared JSON with 415, where the validator would quietly read it as `{}`.
 */
import { sValidator } from '@hono/standard-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { MiddlewareHandler } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { HttpError } from './errors.js';

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function jsonBody<S extends StandardSchemaV1>(schema: S) {
  return sValidator('json', schema, (result) => {
    if (!result.success) {
      throw new HttpError(
        400,
        ErrorCode.BadRequest,
        result.error[0]?.message ?? 'the body does not fit this route',
      );
    }
  });
}

export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    const length = c.req.header('content-length');
    const hasBody =
      (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    if (hasBody && !JSON_TYPE.test(type)) {
      throw new HttpError(
        415,
        ErrorCode.BadRequest,
        'request bodies are JSON: send Content-Type: application/json',
      );
    }
    await next();
  };
}
