/**
 * The relay's HTTP API. Every answer is parsed with its schema from
 * shared/api/answers.ts, the one the relay's handler is typed by; an answer that
 * does not fit is an `ApiError`, not a crash later. Errors come back as
 * `{ error: { code, message } }` and are thrown as `ApiError`, so the UI shows
 * the relay's sentence, not a stack.
 */
import * as v from 'valibot';
import {
  CreatedRoomAnswer,
  EnvNamesAnswer,
  ErrorAnswer,
  PreviewTicketAnswer,
  RunnersAnswer,
  StoredRunsAnswer,
  ShortLinkAnswer,
  TokenAnswer,
  type CreatedRoom,
  type RunnerLanguage,
  type StoredRun,
} from '../../../shared/api/answers.js';
import { isErrorCode, type ErrorCode } from '../../../shared/protocol/errors.js';
import type { Role } from '../../../shared/roles.js';
import type { RoomKind } from '../../../shared/rooms.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
  ) {
    super(message);
  }
}

export type { CreatedRoom, RunnerLanguage, StoredRun };
export type PreviewTicket = v.InferOutput<typeof PreviewTicketAnswer>;

type RequestOptions = RequestInit & { token?: string; body?: string };

/** A request whose answer is `schema`'s. */
export async function request<S extends v.GenericSchema>(
  path: string,
  init: RequestOptions,
  schema: S,
): Promise<v.InferOutput<S>> {
  return parseAnswer(schema, await send(path, init));
}

/** A request answered with 204 and no body. */
export async function requestNoContent(path: string, init: RequestOptions): Promise<void> {
  await send(path, init);
}

/** Checks an answer against its schema; one that does not fit is an error with a sentence. */
export function parseAnswer<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const where = issue.path?.map((item) => String(item.key)).join('.');
  throw new ApiError(
    0,
    'internal',
    `The server sent an answer this page cannot read${where ? ` (at "${where}")` : ''}: ${issue.message}`,
  );
}

async function send(path: string, init: RequestOptions): Promise<unknown> {
  const headers: Record<string, string> = {};
  // Only a body is declared JSON: an empty one so declared is invalid JSON to the relay.
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined;
  if (!response.ok) throw await toApiError(response);
  try {
    return await response.json();
  } catch {
    throw new ApiError(response.status, 'internal', 'The server sent an answer that is not JSON.');
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = v.safeParse(ErrorAnswer, await response.json());
    if (body.success && isErrorCode(body.output.error.code)) {
      return new ApiError(response.status, body.output.error.code, body.output.error.message);
    }
  } catch {
    // Not a JSON error body.
  }
  return new ApiError(response.status, 'internal', `The server answered ${response.status}.`);
}

export function createRoom(body: {
  name?: string;
  template?: string;
  ownerName?: string;
  kind?: RoomKind;
}): Promise<CreatedRoom> {
  return request('/api/rooms', { method: 'POST', body: JSON.stringify(body) }, CreatedRoomAnswer);
}

/** Copies the room's current files into a new room owned by the token's user. */
export function forkRoom(roomId: string, token: string, name?: string): Promise<CreatedRoom> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/fork`;
  return request(
    path,
    { method: 'POST', token, body: JSON.stringify(name ? { name } : {}) },
    CreatedRoomAnswer,
  );
}

/** Exchanges a link token for a personal one: a fresh user id with the link's role. */
export async function joinRoom(roomId: string, linkToken: string, name: string): Promise<string> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/join`;
  const body = JSON.stringify({ name });
  return (await request(path, { method: 'POST', token: linkToken, body }, TokenAnswer)).token;
}

/**
 * Owner only: the short share link for `role` (`/j/<code>` on this page's
 * origin; the same code until the owner resets the links).
 */
export async function shortLink(
  roomId: string,
  ownerToken: string,
  role: Exclude<Role, 'owner'>,
): Promise<string> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/links`;
  const body = JSON.stringify({ role });
  const { code } = await request(path, { method: 'POST', token: ownerToken, body }, ShortLinkAnswer);
  return shortLinkUrl(code);
}

export function shortLinkUrl(code: string): string {
  return `${location.origin}/j/${encodeURIComponent(code)}`;
}

/** The room URL for a link token; the token rides in the fragment, which is never sent to a server. */
export function roomLink(roomId: string, token: string): string {
  return `${location.origin}/r/${encodeURIComponent(roomId)}#token=${encodeURIComponent(token)}`;
}

/** Which languages can run right now. */
export async function runnerLanguages(): Promise<RunnerLanguage[]> {
  return (await request('/api/runners', { method: 'GET' }, RunnersAnswer)).languages;
}

/** The room's stored runs, newest first (output capped). */
export function recentRuns(roomId: string, token: string): Promise<StoredRun[]> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/runs`;
  return request(path, { method: 'GET', token }, StoredRunsAnswer);
}

function envPath(roomId: string, name?: string): string {
  const base = `/api/rooms/${encodeURIComponent(roomId)}/env`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** The names of the room's environment variables; the relay never answers with a value. */
export async function envNames(roomId: string, token: string): Promise<string[]> {
  return (await request(envPath(roomId), { method: 'GET', token }, EnvNamesAnswer)).names;
}

/** Editors: sets (or replaces) a variable. */
export function setEnv(roomId: string, token: string, name: string, value: string): Promise<void> {
  return requestNoContent(envPath(roomId, name), { method: 'PUT', token, body: JSON.stringify({ value }) });
}

/** Editors: removes a variable (an `ApiError` with status 404 if it was already gone). */
export function removeEnv(roomId: string, token: string, name: string): Promise<void> {
  return requestNoContent(envPath(roomId, name), { method: 'DELETE', token });
}

/** A one-use way into a preview's origin, good for a minute: `url` enters it (add `&to=` for a path). */
export function previewTicket(roomId: string, token: string, previewId: string): Promise<PreviewTicket> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/previews/${encodeURIComponent(previewId)}/ticket`;
  return request(path, { method: 'POST', token }, PreviewTicketAnswer);
}
