/**
 * Three relay processes sharing rooms over a real Redis and one real
 * PostgreSQL database, with official y-websocket clients spread over them:
 * concurrent edits converge, cursors (awareness) cross relays, a relay that
 * loads the room while others type misses nothing, and each update is stored
 * once, by the relay that received it. People on different relays see each
 * other in the call list and signal each other; a relay killed with kill -9
 * takes its people and their cursors out of every other relay's room; a real
 * keystroke trace typed through a relay killed half-way ends whole everywhere.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, findFile } from '../../shared/schema/project.js';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType } from '../../shared/protocol/table.js';
import {
  RawClient,
  appendTo,
  claimsOf,
  connectPeer,
  connectSynced,
  isAuthDenied,
  health,
  isRoomState,
  peerMessages,
  request,
  textById,
  waitConverged,
  waitFor,
  waitSynced,
  yjsUrl,
  type Peer,
} from './clients.js';
import { skipCluster, startCluster, type Cluster } from './cluster.js';
import { startRedis } from './redis.js';
import { applyTxn, loadTrace } from '../../bench/lib/trace.js';
import { createRoom, mintToken, type RelayProcess } from './harness.js';

const skip = skipCluster();
const FRIENDS_FOREVER = resolve(
  import.meta.dirname,
  '../../../shared/traces/sequential_friendsforever_flat.json.gz',
);

describe.skipIf(skip)('relays sharing rooms over Redis', () => {
  let cluster: Cluster;
  let relays: RelayProcess[];
  const peers: Peer[] = [];
  const raws: RawClient[] = [];

  const join = async (relay: RelayProcess, roomId: string, token: string) => {
    const peer = await connectSynced(relay.wsUrl, roomId, token);
    peers.push(peer);
    return peer;
  };

  beforeAll(async () => {
    cluster = await startCluster(3);
    relays = cluster.relays;
  });

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    for (const raw of raws) raw.close();
    await cluster?.stop();
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
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
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
      await raw.helloAndSync();
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

  it('people on different relays see each other in the call list, signal each other and are muted by the owner; a stranger peer is dropped', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'call', ownerName: 'Ann' });
    const viewerToken = await mintToken(relays[0]!.url, room.roomId, room.token, {
      role: 'viewer',
      name: 'Vic',
    });
    const ann = await RawClient.connect(yjsUrl(relays[0]!.wsUrl, room.roomId, room.token));
    const vic = await RawClient.connect(yjsUrl(relays[2]!.wsUrl, room.roomId, viewerToken));
    raws.push(ann, vic);
    await ann.hello();
    await vic.hello();
    const selfOf = (client: RawClient) => {
      const list = peerMessages(client).find((m) => m.type === MessageType.PeerList);
      return list?.type === MessageType.PeerList ? list.self : null;
    };
    const knows = (client: RawClient, peerId: string) =>
      peerMessages(client).some(
        (m) =>
          (m.type === MessageType.PeerList && m.peers.some((p) => p.peerId === peerId)) ||
          (m.type === MessageType.PeerJoined && m.peer.peerId === peerId),
      );
    await ann.until(() => selfOf(ann) !== null, 'Ann’s peer list');
    await vic.until(() => selfOf(vic) !== null, 'Vic’s peer list');
    const annId = selfOf(ann)!.peerId;
    const vicId = selfOf(vic)!.peerId;
    await ann.until(() => knows(ann, vicId), 'relay 1 announces Vic from relay 3');
    await vic.until(() => knows(vic, annId), 'relay 3 announces Ann from relay 1');
    expect(
      peerMessages(ann).find((m) => m.type === MessageType.PeerJoined && m.peer.peerId === vicId),
    ).toMatchObject({ peer: { name: 'Vic', role: 'viewer' } });

    const offer = JSON.stringify({ type: 'offer', sdp: 'v=0 from Ann' });
    ann.send(encode({ type: MessageType.Signal, peer: vicId, data: offer }));
    await vic.until(
      () => peerMessages(vic).some((m) => m.type === MessageType.Signal && m.data === offer),
      'the offer on relay 3',
    );
    // The relay stamps the sender: Vic sees Ann's peer id, whatever Ann claimed.
    expect(peerMessages(vic).find((m) => m.type === MessageType.Signal)).toMatchObject({ peer: annId });
    const answer = JSON.stringify({ type: 'answer', sdp: 'v=0 from Vic' });
    vic.send(encode({ type: MessageType.Signal, peer: annId, data: answer }));
    await ann.until(
      () =>
        peerMessages(ann).some((m) => m.type === MessageType.Signal && m.peer === vicId && m.data === answer),
      'the answer on relay 1',
    );

    // A peer no relay holds: dropped and counted, nobody receives it.
    const before = (await health(relays[0]!.url)).body.droppedSignals;
    ann.send(encode({ type: MessageType.Signal, peer: 'nobody-at-all', data: offer }));
    await ann.fence();
    expect((await health(relays[0]!.url)).body.droppedSignals).toBe(before + 1);

    // The owner on relay 1 mutes Vic on relay 3: both hear of it, and so does a newcomer on relay 2.
    ann.send(encode({ type: MessageType.MediaControl, peer: vicId, mute: { audio: true, video: false } }));
    const mutedVic = (client: RawClient) =>
      peerMessages(client).some(
        (m) => m.type === MessageType.MediaControl && m.peer === vicId && m.mute.audio && !m.mute.video,
      );
    await vic.until(() => mutedVic(vic), 'Vic told on relay 3 that he is muted');
    await ann.until(() => mutedVic(ann), 'Ann told on relay 1');
    const late = await RawClient.connect(yjsUrl(relays[1]!.wsUrl, room.roomId, room.token));
    raws.push(late);
    await late.hello();
    await late.until(() => mutedVic(late), 'a newcomer on relay 2 told Vic is muted');

    vic.close();
    await ann.until(
      () => peerMessages(ann).some((m) => m.type === MessageType.PeerLeft && m.peerId === vicId),
      'Vic leaves Ann’s list',
    );
  });

  it('a relay killed with kill -9: its people leave the call list and their cursors go, everywhere; a newcomer saw them at once', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'doomed relay' });
    const doomed = await cluster.addRelay();
    const ann = await RawClient.connect(yjsUrl(relays[0]!.wsUrl, room.roomId, room.token));
    const ken = await RawClient.connect(yjsUrl(doomed.wsUrl, room.roomId, room.token));
    raws.push(ann, ken);
    await ann.hello();
    await ken.hello();
    const kenList = await ken.waitForFrame(
      (f) => f.kind === 'peer' && f.message.type === MessageType.PeerList,
      'list',
    );
    const kenId =
      kenList.kind === 'peer' && kenList.message.type === MessageType.PeerList
        ? kenList.message.self.peerId
        : '';
    await ann.until(
      () => peerMessages(ann).some((m) => m.type === MessageType.PeerJoined && m.peer.peerId === kenId),
      'Ken from the doomed relay',
    );
    // Ken's cursor, set through the doomed relay.
    const cursor = await join(doomed, room.roomId, room.token);
    cursor.awareness.setLocalStateField('cursor', { line: 3 });
    const seesCursor = (peer: Peer) =>
      (peer.awareness.getStates().get(cursor.doc.clientID) as { cursor?: { line: number } } | undefined)
        ?.cursor?.line === 3;
    const watcher = await join(relays[0]!, room.roomId, room.token);
    await waitFor(() => seesCursor(watcher), 'the cursor across relays');
    // Relay 2 never held the room: a newcomer there sees the cursor as it loads the room,
    // without waiting for the cursor's owner to renew it (every 15 s).
    const newcomer = await join(relays[1]!, room.roomId, room.token);
    await waitFor(
      () => seesCursor(newcomer),
      'the cursor for a newcomer on a relay that just loaded the room',
      8_000,
    );

    await doomed.kill9();
    await ann.until(
      () => peerMessages(ann).some((m) => m.type === MessageType.PeerLeft && m.peerId === kenId),
      'Ken gone from Ann’s list',
      20_000,
    );
    // Sooner than the clients' own 30 s awareness timeout: the relays remove them.
    await waitFor(
      () => !seesCursor(watcher) && !seesCursor(newcomer),
      'the cursor gone on both relays',
      20_000,
    );
  });

  it('a real keystroke trace typed through a relay killed half-way: the typist moves to another relay and every relay ends with the trace’s text', async () => {
    const trace = loadTrace(FRIENDS_FOREVER);
    const room = await createRoom(relays[0]!.url, { name: 'trace through a kill' });
    const doomed = await cluster.addRelay();
    const typist = connectPeer(doomed.wsUrl, room.roomId, room.token);
    await waitSynced(typist);
    const observer = await join(relays[2]!, room.roomId, room.token);
    const id = addFile(typist.doc, 'trace.txt', trace.startContent);
    const text = findFile(typist.doc, 'trace.txt')!.text;
    await waitFor(() => findFile(observer.doc, 'trace.txt') !== null, 'the file on relay 3');
    const half = Math.floor(trace.txns.length / 2);
    const type = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        typist.doc.transact(() => applyTxn(text, trace.txns[i]!));
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await type(0, half);
    // Killed while what was just typed may still be on its way: no flush, no goodbye.
    await doomed.kill9();
    typist.provider.destroy();
    // The load balancer sends the typist elsewhere; its client still holds every keystroke.
    const moved = connectPeer(relays[1]!.wsUrl, room.roomId, room.token, { doc: typist.doc });
    peers.push(moved);
    await waitSynced(moved);
    await type(half, trace.txns.length);
    const fresh = await join(relays[0]!, room.roomId, room.token);
    await waitConverged([typist.doc, observer.doc, fresh.doc], 30_000);
    expect(textById(observer.doc, id)).toBe(trace.endContent);
    expect(textById(fresh.doc, id)).toBe(trace.endContent);
  });

  it('Redis restarted while people type: each relay goes on alone, says so, and both catch up when it is back', async () => {
    const room = await createRoom(relays[0]!.url, { name: 'redis outage' });
    const a = await join(relays[0]!, room.roomId, room.token);
    const b = await join(relays[1]!, room.roomId, room.token);
    const id = addFile(a.doc, 'outage.txt', '');
    await waitConverged([a.doc, b.doc]);
    expect((await health(relays[0]!.url)).body.cluster).toMatchObject({ redis: 'up', runsAway: 0 });

    await cluster.redis.stop();
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

    cluster.redis = await startRedis(cluster.redis.port);
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
