/**
 * WebRTC signaling through a real relay: who is in the room, signals delivered
 * to one peer with the sender stamped by the relay, and everything else dropped
 * and counted (another room's peer, an unknown peer, oneself) or refused
 * (before hello, not JSON, too large). Last, two Node peers (simple-peer on
 * @roamhq/wrtc) negotiate a real data channel over loopback through it.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health, peerMessages, RawClient, yjsUrl } from './clients.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, type PeerMessage, SIGNAL_MAX_CHARS } from '../../shared/protocol/table.js';

type Peer = Extract<PeerMessage, { type: typeof MessageType.PeerList }>['self'];

async function join(
  relay: RelayProcess,
  room: CreatedRoom,
  token = room.token,
): Promise<{ client: RawClient; self: Peer }> {
  const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, token));
  await client.hello();
  await client.until(() => peerMessages(client).some((m) => m.type === MessageType.PeerList), 'peer list');
  const list = peerMessages(client).find((m) => m.type === MessageType.PeerList)!;
  return { client, self: list.type === MessageType.PeerList ? list.self : (undefined as never) };
}

const signal = (peer: string, data: unknown) =>
  encode({ type: MessageType.Signal, peer, data: JSON.stringify(data) });

describe('signaling through the relay', () => {
  let relay: RelayProcess;
  let room: CreatedRoom;
  let other: CreatedRoom;

  beforeAll(async () => {
    relay = await startRelay();
    room = await createRoom(relay.url, { template: 'python', ownerName: 'Ann' });
    other = await createRoom(relay.url, { template: 'python' });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('lists the room, announces arrivals and departures with relay-stamped identities', async () => {
    const a = await join(relay, room);
    expect(a.self).toMatchObject({ name: 'Ann', role: 'owner' });
    const list = peerMessages(a.client).find((m) => m.type === MessageType.PeerList);
    expect(list).toMatchObject({ peers: [] });

    const viewerToken = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Vic' });
    const v = await join(relay, room, viewerToken);
    expect(peerMessages(v.client).find((m) => m.type === MessageType.PeerList)).toMatchObject({
      self: { name: 'Vic', role: 'viewer' },
      peers: [{ peerId: a.self.peerId, name: 'Ann', role: 'owner' }],
    });
    await a.client.until(
      () => peerMessages(a.client).some((m) => m.type === MessageType.PeerJoined),
      'joined',
    );
    expect(peerMessages(a.client).find((m) => m.type === MessageType.PeerJoined)).toMatchObject({
      peer: { peerId: v.self.peerId, name: 'Vic', role: 'viewer' },
    });
    v.client.close();
    await a.client.until(() => peerMessages(a.client).some((m) => m.type === MessageType.PeerLeft), 'left');
    expect(peerMessages(a.client).find((m) => m.type === MessageType.PeerLeft)).toMatchObject({
      peerId: v.self.peerId,
    });
    a.client.close();
  });

  it('delivers a signal to its target only, with the sender stamped; viewers may signal', async () => {
    const a = await join(relay, room);
    const b = await join(
      relay,
      room,
      await mintToken(relay.url, room.roomId, room.token, { role: 'viewer' }),
    );
    const c = await join(relay, room);
    a.client.send(signal(b.self.peerId, { type: 'offer', sdp: 'v=0' }));
    await b.client.until(
      () => peerMessages(b.client).some((m) => m.type === MessageType.Signal),
      'signal to b',
    );
    expect(peerMessages(b.client).find((m) => m.type === MessageType.Signal)).toEqual({
      type: MessageType.Signal,
      peer: a.self.peerId,
      data: JSON.stringify({ type: 'offer', sdp: 'v=0' }),
    });
    b.client.send(signal(a.self.peerId, { type: 'answer', sdp: 'v=0' }));
    await a.client.until(
      () => peerMessages(a.client).some((m) => m.type === MessageType.Signal),
      'answer to a',
    );
    await c.client.fence();
    expect(peerMessages(c.client).filter((m) => m.type === MessageType.Signal)).toEqual([]);
    for (const p of [a, b, c]) p.client.close();
  });

  it('drops and counts signals to another room, an unknown peer or oneself; never delivers them', async () => {
    const a = await join(relay, room);
    const elsewhere = await join(relay, other);
    const before = (await health(relay.url)).body.droppedSignals;
    a.client.send(signal(elsewhere.self.peerId, { type: 'offer' }));
    a.client.send(signal('nobodyHere123', { type: 'offer' }));
    a.client.send(signal(a.self.peerId, { type: 'offer' }));
    await a.client.fence(); // the three are handled
    expect((await health(relay.url)).body.droppedSignals).toBe(before + 3);
    await elsewhere.client.fence();
    expect(peerMessages(elsewhere.client).filter((m) => m.type === MessageType.Signal)).toEqual([]);
    expect(a.client.isOpen).toBe(true);
    a.client.close();
    elsewhere.client.close();
  });

  it.each([
    ['before hello', false, signal('abcdefgh', { type: 'offer' })],
    [
      'with data that is not JSON',
      true,
      encode({ type: MessageType.Signal, peer: 'abcdefgh', data: '{oops' }),
    ],
    ['larger than the cap', true, signal('abcdefgh', { sdp: 'x'.repeat(SIGNAL_MAX_CHARS) })],
  ])('refuses a signal %s with 4400', async (_what, hello, frame) => {
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    if (hello) await client.hello();
    client.send(frame);
    expect((await client.waitClosed()).code).toBe(4400);
  });

  it('only the owner mutes a participant; everyone hears of it, newcomers too, until unmuted or gone', async () => {
    const fresh = await createRoom(relay.url, { template: 'python' });
    const owner = await join(relay, fresh);
    const editorToken = await mintToken(relay.url, fresh.roomId, fresh.token, { role: 'editor' });
    const ed = await join(relay, fresh, editorToken);
    const target = await join(
      relay,
      fresh,
      await mintToken(relay.url, fresh.roomId, fresh.token, { role: 'viewer' }),
    );
    const controls = (client: RawClient) =>
      peerMessages(client).filter((m) => m.type === MessageType.MediaControl);
    const mute = (peer: string, audio: boolean, video: boolean) =>
      encode({ type: MessageType.MediaControl, peer, mute: { audio, video } });

    const from = ed.client.frames.length;
    ed.client.send(mute(target.self.peerId, true, true));
    await ed.client.waitForFrame(
      (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
      'forbidden',
      { from },
    );
    await target.client.fence();
    expect(controls(target.client)).toEqual([]);

    owner.client.send(mute(target.self.peerId, true, false));
    for (const c of [owner, ed, target]) {
      await c.client.until(() => controls(c.client).length === 1, 'mute broadcast');
      expect(controls(c.client)[0]).toEqual({
        type: MessageType.MediaControl,
        peer: target.self.peerId,
        mute: { audio: true, video: false },
      });
    }
    const late = await join(relay, fresh, editorToken);
    await late.client.until(() => controls(late.client).length === 1, 'mute for the newcomer');

    // Reloading does not lift it: the same user on a new connection is muted at once, for everyone.
    const targetToken = await mintToken(relay.url, fresh.roomId, fresh.token, { role: 'viewer' });
    const first = await join(relay, fresh, targetToken);
    owner.client.send(mute(first.self.peerId, true, true));
    await owner.client.until(
      () => controls(owner.client).some((m) => 'peer' in m && m.peer === first.self.peerId),
      'muted',
    );
    first.client.close();
    const again = await join(relay, fresh, targetToken);
    await owner.client.until(
      () =>
        controls(owner.client).some(
          (m) => 'peer' in m && m.peer === again.self.peerId && m.mute.audio && m.mute.video,
        ),
      'the reconnected participant muted again',
    );
    await again.client.until(
      () => controls(again.client).some((m) => 'peer' in m && m.peer === again.self.peerId),
      'told itself',
    );
    owner.client.send(mute(again.self.peerId, false, false));
    again.client.close();

    owner.client.send(mute(target.self.peerId, false, false));
    await target.client.until(
      () =>
        controls(target.client).some(
          (m) => 'peer' in m && m.peer === target.self.peerId && !m.mute.audio && !m.mute.video,
        ),
      'unmute',
    );
    const later = await join(relay, fresh, editorToken);
    await later.client.fence();
    expect(controls(later.client)).toEqual([]);
    for (const c of [owner, ed, target, late, later]) c.client.close();
  });

  it('two Node peers negotiate a real data channel through it', async () => {
    const a = await join(relay, room);
    const b = await join(relay, room);
    const make = (initiator: boolean, me: { client: RawClient }, target: string) => {
      const peer = new SimplePeer({ initiator, wrtc, trickle: true, config: { iceServers: [] } });
      peer.on('signal', (data) => me.client.send(signal(target, data)));
      let seen = 0;
      const pump = setInterval(() => {
        const signals = peerMessages(me.client).filter((m) => m.type === MessageType.Signal);
        for (const m of signals.slice(seen))
          if (m.type === MessageType.Signal) peer.signal(JSON.parse(m.data));
        seen = signals.length;
      }, 10);
      peer.on('close', () => clearInterval(pump));
      peer.on('error', () => clearInterval(pump));
      return peer;
    };
    const pa = make(true, a, b.self.peerId);
    const pb = make(false, b, a.self.peerId);
    const received = new Promise<string>((resolve) =>
      pb.on('data', (data: Uint8Array) => resolve(Buffer.from(data).toString())),
    );
    await new Promise<void>((resolve, reject) => {
      pa.once('connect', () => resolve());
      pa.once('error', reject);
      setTimeout(() => reject(new Error('no connection within 15 s')), 15_000);
    });
    pa.send('hello over webrtc');
    expect(await received).toBe('hello over webrtc');
    pa.destroy();
    pb.destroy();
    a.client.close();
    b.client.close();
  }, 30_000);
});
