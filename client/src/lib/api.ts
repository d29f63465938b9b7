/**
 * The relay's HTTP API. Errors come back as `{ error: { code, message } }` and are
 * thrown as `ApiError`, so the UI shows the relay's sentence, not a stack.
 */
import type { StoredRunView } from '../../../shared/protocol/api.js';
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

export interface CreatedRoom {
  roomId: string;
  token: string;
  /** An interview room's links add `interviewer`; `edit` is then the candidate's. */
  links: { edit: string; view: string; interviewer?: string };
}

export async function request<T>(
  path: string,
  init: RequestInit & { token?: string; body?: string },
): Promise<T> {
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
  if (response.status === 204) return undefined as T;
  if (response.ok) return (await response.json()) as T;
  throw await toApiError(response);
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = body.error?.code;
    const message = body.error?.message;
    if (isErrorCode(code) && typeof message === 'string') return new ApiError(response.status, code, message);
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
  return request('/api/rooms', { method: 'POST', body: JSON.stringify(body) });
}

/** Copies the room's current files into a new room owned by the token's user. */
export function forkRoom(roomId: string, token: string, name?: string): Promise<CreatedRoom> {
  return request(`/api/rooms/${encodeURIComponent(roomId)}/fork`, {
    method: 'POST',
    token,
    body: JSON.stringify(name ? { name } : {}),
  });
}

/** Exchanges a link token for a personal one: a fresh user id with the link's role. */
export async function joinRoom(roomId: string, linkToken: string, name: string): Promise<string> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/join`;
  const result = await request<{ token: string }>(path, {
    method: 'POST',
    token: linkToken,
    body: JSON.stringify({ name }),
  });
  return result.token;
}

/** Owner only: a new share-link token for `role` (retired when the owner resets the links). */
export async function mintToken(
  roomId: string,
  ownerToken: string,
  role: Exclude<Role, 'owner'>,
): Promise<string> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/tokens`;
  const result = await request<{ token: string }>(path, {
    method: 'POST',
    token: ownerToken,
    body: JSON.stringify({ role, link: true }),
  });
  return result.token;
}

/** The room URL for a link token; the token rides in the fragment, which is never sent to a server. */
export function roomLink(roomId: string, token: string): string {
  return `${location.origin}/r/${encodeURIComponent(roomId)}#token=${encodeURIComponent(token)}`;
}

export interface RunnerLanguage {
  id: string;
  name: string;
  entry: string;
  /** False while no connected runner can run it (none connected, Docker down, image missing). */
  available: boolean;
}

/** Which languages can run right now. */
export async function runnerLanguages(): Promise<RunnerLanguage[]> {
  const result = await request<{ languages?: unknown }>('/api/runners', { method: 'GET' });
  return Array.isArray(result.languages) ? (result.languages as RunnerLanguage[]) : [];
}

/** A finished run as the relay stored it (output capped). */
export type StoredRun = StoredRunView;

/** The room's stored runs, newest first. */
export async function recentRuns(roomId: string, token: string): Promise<StoredRun[]> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/runs`;
  const result = await request<unknown>(path, { method: 'GET', token });
  return Array.isArray(result) ? (result as StoredRun[]) : [];
}

function envPath(roomId: string, name?: string): string {
  const base = `/api/rooms/${encodeURIComponent(roomId)}/env`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** The names of the room's environment variables; the relay never answers with a value. */
export async function envNames(roomId: string, token: string): Promise<string[]> {
  const result = await request<{ names?: unknown }>(envPath(roomId), { method: 'GET', token });
  return Array.isArray(result.names) ? result.names.filter((n): n is string => typeof n === 'string') : [];
}

/** Editors: sets (or replaces) a variable. */
export function setEnv(roomId: string, token: string, name: string, value: string): Promise<void> {
  return request(envPath(roomId, name), { method: 'PUT', token, body: JSON.stringify({ value }) });
}

/** Editors: removes a variable (an `ApiError` with status 404 if it was already gone). */
export function removeEnv(roomId: string, token: string, name: string): Promise<void> {
  return request(envPath(roomId, name), { method: 'DELETE', token });
}
