/**
 * Request bodies checked at the edge: `jsonBody(schema)` is Hono's
 * standard-validator middleware with a shared schema (shared/api/bodies.ts),
 * answering a failed check with a 400 `bad_request` whose message is the
 * schema's sentence; handlers read `c.req.valid('json')`, already typed.
 * `jsonOnly` (on every /api route, after the size cap) refuses a body that is
 * not declared JSON with 415, where the validator would quietly read it as `{}`.
 * Answers go out through `answer(c, schema, body)`, typed by the schema the
 * client parses them with (shared/api/answers.ts).
 */
import { sValidator } from '@hono/standard-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { GenericSchema } from 'valibot';
import type { Answer } from '../../shared/api/answers.js';
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

/** A JSON answer whose shape the compiler checks against the route's answer schema. */
export function answer<S extends GenericSchema>(
  c: Context,
  _schema: S,
  body: Answer<S>,
  status: ContentfulStatusCode = 200,
): Response {
  return c.json(body as object, status);
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
