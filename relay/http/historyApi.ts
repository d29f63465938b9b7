/**
 * History (README documents it):
 *   GET  /api/rooms/:roomId/history        any token: the replay bundle (shared/replay/bundle.ts)
 *   POST /api/rooms/:roomId/restore        editor: `{ seq }`, the files as they were after that
 *                                          log entry, written over the live document
 *   POST /api/rooms/:roomId/history/fork   any token: `{ seq, name? }`, a new room with those files
 *
 * The log is append-only and stays so: a restore is one more update (made by
 * the relay on the caller's behalf, stored with their id), never a rewrite.
 * The log is read in pages, and the bundle is streamed page by page, so a
 * long history never sits in memory whole.
 */
import { Hono } from 'hono';
import * as Y from 'yjs';
import type { RunSummary } from '../../shared/protocol/api.js';
import { encode } from '../../shared/protocol/codec.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType } from '../../shared/protocol/table.js';
import {
  replayEntryJson,
  replayJsonEnd,
  replayJsonStart,
  type ReplayRun,
  type ReplayUser,
} from '../../shared/replay/bundle.js';
import { forkProject } from '../../shared/schema/fork.js';
import { restoreProject } from '../../shared/schema/restore.js';
import type { Storage, StoredUpdate } from '../storage/Storage.js';
import { ROOM_NAME_MAX_CHARS, type ApiDeps } from './api.js';
import { HttpError } from './errors.js';
import { announceFork, createRoom } from './newRoom.js';
import { loadExistingRoom } from './requests.js';
import { access, type RoomEnv } from './roomAccess.js';
import { HistoryForkBody, RestoreBody } from '../../shared/api/bodies.js';
import { answer, jsonBody } from './validate.js';
import { RestoreAnswer } from '../../shared/api/answers.js';

/** Log entries read from storage at a time. */
const LOG_PAGE_ENTRIES = 1000;
/** Runs included in a bundle (the newest; each carries up to TANDEM_RUN_STORED_OUTPUT_BYTES of output). */
const HISTORY_RUNS_MAX = 100;

export function createHistoryApi({ config, storage, rooms, signer, log }: ApiDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();
  const newRoom = { config, storage, signer, log };

  app.get('/api/rooms/:roomId/history', async (c) => {
    const roomId = c.req.param('roomId');
    const room = await loadExistingRoom(rooms, roomId);
    await room.settle(); // updates still queued belong in the bundle
    const runs = (await storage.listRuns(roomId, HISTORY_RUNS_MAX))
      .reverse()
      .map(({ roomId: _room, ...run }): ReplayRun => run);
    const pages = logPages(storage, roomId);
    // The first page is read before answering: a failing store is then a 500, not a cut-off body.
    const first = await pages.next();
    const start = replayJsonStart({ id: roomId, name: room.controls.record.name }, Date.now());
    const authors = new Set<string>();
    const encoder = new TextEncoder();
    let pending: IteratorResult<StoredUpdate[]> | null = first;
    let written = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(start));
      },
      async pull(controller) {
        try {
          const next = pending ?? (await pages.next());
          pending = null;
          if (next.done) {
            const users = await userNames(storage, roomId, authors, runs);
            controller.enqueue(encoder.encode(replayJsonEnd(users, runs)));
            controller.close();
            return;
          }
          const json = next.value.map((entry) => {
            authors.add(entry.author);
            return replayEntryJson(entry);
          });
          controller.enqueue(encoder.encode((written > 0 ? ',' : '') + json.join(',')));
          written += json.length;
        } catch (error) {
          c.get('log').error('history.read_failed', { room: roomId, err: error });
          controller.error(error);
        }
      },
    });
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
  });

  app.post('/api/rooms/:roomId/restore', jsonBody(RestoreBody), async (c) => {
    const roomId = c.req.param('roomId');
    const { claims, room } = access(c);
    const { seq } = c.req.valid('json');
    await room!.settle();
    const past = await projectAt(storage, roomId, seq);
    let summary: ReturnType<typeof restoreProject> | undefined;
    let stored: number | null;
    try {
      stored = await room!.change(claims.uid, (doc) => (summary = restoreProject(doc, past)));
    } finally {
      past.destroy();
    }
    log.info('room.restored', { room: roomId, user: claims.uid, seq, ...summary });
    if (stored !== null) {
      // Everyone connected is told who did it: the files changing under them is no surprise.
      const { created, deleted, changed } = summary!;
      room!.broadcastTandem(
        encode({
          type: MessageType.Restored,
          userId: claims.uid,
          name: claims.name,
          restoredTo: seq,
          created,
          deleted,
          changed,
        }),
      );
    }
    return answer(c, RestoreAnswer, { restoredTo: seq, seq: stored, ...summary! });
  });

  app.post('/api/rooms/:roomId/history/fork', jsonBody(HistoryForkBody), async (c) => {
    const roomId = c.req.param('roomId');
    const { claims } = access(c);
    const { seq, name: asked } = c.req.valid('json');
    const source = await loadExistingRoom(rooms, roomId);
    const name = asked ?? `${source.controls.record.name} (from history)`.slice(0, ROOM_NAME_MAX_CHARS);
    await source.settle();
    const past = await projectAt(storage, roomId, seq);
    const room = {
      name,
      ownerName: claims.name,
      template: source.controls.record.template,
      log: { forkedFrom: roomId, atSeq: seq },
    };
    try {
      const created = await createRoom(newRoom, c, room, (doc) => forkProject(past, doc, name));
      announceFork(source, claims, seq);
      return created;
    } finally {
      past.destroy();
    }
  });

  return app;
}

/**
 * Display names for the authors of a log: the name each user's token carried
 * when they last joined, else the name a run of theirs recorded, else their id
 * ("system" stays "system").
 */
async function userNames(
  storage: Storage,
  roomId: string,
  uids: Iterable<string>,
  runs: readonly RunSummary[],
): Promise<Record<string, ReplayUser>> {
  const known = new Map(runs.map((run) => [run.userId, run.name]));
  for (const user of await storage.listUsers(roomId)) known.set(user.uid, user.name);
  const users = Object.create(null) as Record<string, ReplayUser>;
  for (const uid of uids) users[uid] = { name: known.get(uid) ?? uid };
  return users;
}

async function* logPages(storage: Storage, roomId: string, after = 0): AsyncGenerator<StoredUpdate[]> {
  for (;;) {
    const page = await storage.readLog(roomId, after, LOG_PAGE_ENTRIES);
    if (page.length > 0) yield page;
    if (page.length < LOG_PAGE_ENTRIES) return;
    after = page[page.length - 1]!.seq;
  }
}

/** The room's document as it was right after log entry `seq`; 400 if the room's log has no such entry. */
async function projectAt(storage: Storage, roomId: string, seq: number): Promise<Y.Doc> {
  const doc = new Y.Doc();
  // Start from the newest snapshot at or before seq (a snapshot's seq is always one of the room's entries).
  const snapshot = await storage.loadSnapshotAt(roomId, seq);
  if (snapshot) {
    Y.applyUpdate(doc, snapshot.data);
    if (snapshot.seq === seq) return doc;
  }
  for await (const page of logPages(storage, roomId, snapshot?.seq ?? 0)) {
    let found = false;
    doc.transact(() => {
      for (const entry of page) {
        if (entry.seq > seq) break;
        Y.applyUpdate(doc, entry.data);
        found = entry.seq === seq;
      }
    });
    if (found) return doc;
    if (page[page.length - 1]!.seq > seq) break;
  }
  doc.destroy();
  throw new HttpError(400, ErrorCode.BadRequest, `seq ${seq} is not an entry of this room's log`);
}
