/**
 * Three relay processes sharing rooms over a real Redis and one real
 * PostgreSQL database, with official y-websocket clients spread over them:
 * concurrent edits converge, cursors (awareness) cross relays, a relay that
 * loads the room while others type misses nothing, and each update is stored
 * once, by the relay that received it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, findFile } from '../../shared/schema/project.js';
import { requireOrSkip } from '../../scripts/requireTool.js';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import {
  RawClient,
  appendTo,
  claimsOf,
  connectSynced,
  frameSyncStep1,
  isAuthDenied,
  health,
  isRoomState,
  request,
  textById,
  waitConverged,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { postgresBin, startPostgres, type PostgresServer } from './postgres.js';
import { redisAvailable, startRedis, type RedisServer } from './redis.js';

const skip = requireOrSkip('PostgreSQL and Redis', postgresBin() !== null && redisAvailable());

describe.skipIf(skip)('relays sharing rooms over Redis', () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  let databaseUrl: string;
  const relays: RelayProcess[] = [];
  const peers: Peer[] = [];

  const join = async (relay: RelayProcess, roomId: string, token: string) => {
    const peer = await connectSynced(relay.wsUrl, roomId, token);
    peers.push(peer);
    return peer;
  };

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    databaseUrl = await postgres.database();
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
    // The first makes the secrets; the others share its data directory for them.
    relays.push(await startRelay({ env }));
    const { dataDir } = relays[0]!;
    relays.push(...(await Promise.all([startRelay({ env, dataDir }), startRelay({ env, dataDir })])));
  });

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    for (const relay of relays) await relay.stop();
    if (relays[0]) removeDataDir(relays[0].dataDir);
    await redis?.stop();
    await postgres?.stop();
  });

  it('three people on three relays type at once into one file and converge, each update stored once', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'three relays' });
    const [a, b, c] = await Promise.all(relays.map((relay) => join(relay, room.roomId, room.token)));
    const id = addFile(a!.doc, 'shared.txt', '');
    await waitFor(
      () => [b!, c!].every((peer) => findFile(peer.doc, 'shared.txt') !== null),
      'the file on relays 2 and 3',
    );
    const EDITS = 40;
    for (let i = 0; i < EDITS; i++) {
      appendTo(a!.doc, id, 'a');
      appendTo(b!.doc, id, 'b');
      appendTo(c!.doc, id, 'c');
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitConverged([a!.doc, b!.doc, c!.doc], 20_000);
    const text = textById(a!.doc, id);
    expect(text).toHaveLength(EDITS * 3);
    for (const ch of 'abc') expect(text.split(ch)).toHaveLength(EDITS + 1);

    // Stored once: the log holds at most one entry per edit (merged frames make it fewer), not three.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM updates WHERE room_id = $1', [
        room.roomId,
      ]);
      expect(rows[0].n).toBeGreaterThan(0);
      expect(rows[0].n).toBeLessThanOrEqual(EDITS * 3 + 2);
    } finally {
      await db.end();
    }
    // A fresh client on any relay loads the same text from the database.
    const fresh = await join(relays[1]!, room.roomId, room.token);
    expect(textById(fresh.doc, id)).toBe(text);
  });

  it('a cursor set on relay 1 shows on relay 3', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'cursors' });
    const a = await join(relays[0]!, room.roomId, room.token);
    const c = await join(relays[2]!, room.roomId, room.token);
    a.awareness.setLocalStateField('cursor', { line: 7 });
    await waitFor(
      () =>
        (c.awareness.getStates().get(a.doc.clientID) as { cursor?: { line: number } } | undefined)?.cursor
          ?.line === 7,
      'relay 3 sees the cursor from relay 1',
    );
  });

  it('a relay that loads the room while others type misses nothing', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'late relay' });
    const a = await join(relays[0]!, room.roomId, room.token);
    const b = await join(relays[1]!, room.roomId, room.token);
    const id = addFile(a.doc, 'busy.txt', '');
    await waitConverged([a.doc, b.doc]);
    let typing = true;
    const typist = (async () => {
      while (typing) {
        appendTo(a.doc, id, 'x');
        appendTo(b.doc, id, 'y');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    // Relay 3 has never loaded this room: it loads it now, in the middle of the typing.
    const late = await join(relays[2]!, room.roomId, room.token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    typing = false;
    await typist;
    await waitConverged([a.doc, b.doc, late.doc], 20_000);
    expect(Y.encodeStateVector(late.doc)).toEqual(Y.encodeStateVector(a.doc));
    expect(textById(late.doc, id).length).toBeGreaterThan(10);
  });

  it('a classroom revoke on relay 1 stops an editor on relay 3 at once; a removal on relay 1 closes the socket on relay 2', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'classroom' });
    const owner = await join(relays[0]!, room.roomId, room.token);
    addFile(owner.doc, 'main.py', '');
    const studentToken = await mintToken(relays[0]!.url, room.roomId, room.token, {
      role: 'editor',
      name: 'Stu',
    });
    const otherToken = await mintToken(relays[0]!.url, room.roomId, room.token, {
      role: 'editor',
      name: 'Oli',
    });
    const student = await RawClient.connect(yjsUrl(relays[2]!.wsUrl, room.roomId, studentToken));
    const other = await RawClient.connect(yjsUrl(relays[1]!.wsUrl, room.roomId, otherToken));
    for (const raw of [student, other]) {
      await raw.hello();
      raw.send(frameSyncStep1(raw.doc));
      await raw.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2');
    }

    const api = `${relays[0]!.url}/api/rooms/${room.roomId}`;
    expect(
      (await request(api, { method: 'PATCH', token: room.token, body: { mode: 'classroom' } })).status,
    ).toBe(200);
    await student.until(
      () =>
        student.frames
          .filter(isRoomState)
          .some((f) => f.message.settings.mode === 'classroom' && !f.message.canEdit),
      'relay 3 tells the student it is read-only',
    );
    const from = student.frames.length;
    student.change((doc) => addFile(doc, 'after-revoke.txt', 'refused'));
    await student.waitForFrame(isAuthDenied, 'the edit refused on relay 3', { from });
    expect(findFile(owner.doc, 'after-revoke.txt')).toBeNull();

    const kicked = await request(`${api}/kick`, {
      method: 'POST',
      token: room.token,
      body: { userId: claimsOf(otherToken).uid },
    });
    expect(kicked.status).toBe(200);
    expect((await other.waitClosed()).code).toBe(CloseCode.Removed);
  });

  it('Redis restarted while people type: each relay goes on alone, says so, and both catch up when it is back', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'redis outage' });
    const a = await join(relays[0]!, room.roomId, room.token);
    const b = await join(relays[1]!, room.roomId, room.token);
    const id = addFile(a.doc, 'outage.txt', '');
    await waitConverged([a.doc, b.doc]);
    expect((await health(relays[0]!.url)).body.cluster).toEqual({ redis: 'up' });

    await redis.stop();
    await waitFor(
      async () => (await health(relays[0]!.url)).body.cluster?.redis === 'down',
      'relay 1 reports Redis down',
    );
    await waitFor(
      async () => (await health(relays[1]!.url)).body.cluster?.redis === 'down',
      'relay 2 reports Redis down',
    );
    appendTo(a.doc, id, 'typed on relay 1 while Redis was down\n');
    appendTo(b.doc, id, 'typed on relay 2 while Redis was down\n');
    // Each relay still serves its own people: a second client on relay 1 sees A's line.
    const a2 = await join(relays[0]!, room.roomId, room.token);
    await waitFor(() => textById(a2.doc, id).includes('typed on relay 1'), 'relay 1 still serves');

    redis = await startRedis(redis.port);
    await waitFor(
      async () => (await health(relays[0]!.url)).body.cluster?.redis === 'up',
      'relay 1 reports Redis back',
      20_000,
    );
    await waitConverged([a.doc, b.doc, a2.doc], 20_000);
    const text = textById(a.doc, id);
    expect(text).toContain('typed on relay 1 while Redis was down');
    expect(text).toContain('typed on relay 2 while Redis was down');
  });
});
