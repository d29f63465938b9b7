/**
 * Going back in a room's history through the relay (relay/http/historyApi.ts):
 * restore writes the files as they were after a log entry over the live room
 * (one more edit; the log keeps everything), fork starts a new room from them.
 */
import type * as v from 'valibot';
import { CreatedRoomAnswer, RestoreAnswer } from '../../../shared/api/answers.js';
import { request, type CreatedRoom } from '../lib/api.js';

const historyPath = (roomId: string, rest: string) => `/api/rooms/${encodeURIComponent(roomId)}${rest}`;

export type RestoreResult = v.InferOutput<typeof RestoreAnswer>;

/** Editors: makes the project what it was right after log entry `seq`. */
export function restoreTo(roomId: string, token: string, seq: number): Promise<RestoreResult> {
  return request(
    historyPath(roomId, '/restore'),
    { method: 'POST', token, body: JSON.stringify({ seq }) },
    RestoreAnswer,
  );
}

/** Anyone in the room: a new room, owned by the caller, with the files as they were after `seq`. */
export function forkFrom(roomId: string, token: string, seq: number, name?: string): Promise<CreatedRoom> {
  const body = JSON.stringify(name ? { seq, name } : { seq });
  return request(historyPath(roomId, '/history/fork'), { method: 'POST', token, body }, CreatedRoomAnswer);
}
