/**
 * WebRTC on loopback, with Node peers (simple-peer on @roamhq/wrtc) signaling
 * through a real relay:
 *   - set-up: from the first signal sent to the data channel open, p50/p95 over
 *     fresh pairs (goal p95 < 100 ms);
 *   - awareness round trip: a small state sent by A, answered by B, back at A,
 *     over the data channel (goal p99 < 5 ms) beside the same exchange as
 *     y-protocols awareness frames through the relay.
 * Prints figures; asserts only that every message arrived.
 */
import wrtc from '@roamhq/wrtc';
import * as encoding from 'lib0/encoding';
import SimplePeer from 'simple-peer';
import { WebSocket } from 'ws';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from '../relay/test/harness.js';
import { ms, printTable } from './lib/format.js';
import { summarize } from './lib/stats.js';
import { decode, encode } from '../shared/protocol/codec.js';
import { Direction, MessageType, PROTOCOL_VERSION } from '../shared/protocol/table.js';

const PAIRS = 30;
const ROUND_TRIPS = 1_000;
const SETTLE_MS = 100;

interface Client {
  ws: WebSocket;
  peerId: string;
  signals: (from: string, data: unknown) => void;
  frames: (bytes: Uint8Array) => void;
}

async function connect(relay: RelayProcess, roomId: string, token: string): Promise<Client> {
  const ws = new WebSocket(`${relay.wsUrl}/yjs/${roomId}?token=${token}`);
  const client: Client = { ws, peerId: '', signals: () => undefined, frames: () => undefined };
  const ready = new Promise<void>((resolve) => {
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const message = decode(Direction.RelayToClient, bytes);
      if (message.type === MessageType.PeerList) {
        client.peerId = message.self.peerId;
        resolve();
      } else if (message.type === MessageType.Signal) {
        client.signals(message.peer, JSON.parse(message.data));
      } else client.frames(bytes);
    });
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(encode({ type: MessageType.Hello, protocolVersion: PROTOCOL_VERSION }));
  await ready;
  return client;
}

let sessions = 0;

/** A fresh pair over the same two sockets; signals carry the pair's session, so late ones of an old pair are ignored. */
function pair(
  a: Client,
  b: Client,
): { pa: SimplePeer.Instance; pb: SimplePeer.Instance; firstSignalAt: () => number } {
  const session = ++sessions;
  let first = 0;
  const make = (initiator: boolean, me: Client, target: string) => {
    const peer = new SimplePeer({ initiator, wrtc, trickle: true, config: { iceServers: [] } });
    peer.on('signal', (signal) => {
      first ||= performance.now();
      const data = JSON.stringify({ session, signal });
      me.ws.send(encode({ type: MessageType.Signal, peer: target, data }));
    });
    me.signals = (_from, data) => {
      const { session: of, signal } = data as { session: number; signal: SimplePeer.SignalData };
      if (of === session) peer.signal(signal);
    };
    return peer;
  };
  const pa = make(true, a, b.peerId);
  const pb = make(false, b, a.peerId);
  return { pa, pb, firstSignalAt: () => first };
}

const awarenessFrame = (clientId: number, clock: number, state: unknown): Uint8Array => {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
};

export async function webrtcBench(): Promise<void> {
  const relay = await startRelay();
  try {
    const room = await createRoom(relay.url);
    const a = await connect(relay, room.roomId, room.token);
    const b = await connect(relay, room.roomId, room.token);

    const setups: number[] = [];
    let last: ReturnType<typeof pair> | null = null;
    for (let i = 0; i < PAIRS; i++) {
      const p = pair(a, b);
      const connected = performance.now();
      await new Promise<void>((resolve, reject) => {
        p.pa.once('connect', () => resolve());
        p.pa.once('error', reject);
      });
      setups.push(performance.now() - Math.min(connected, p.firstSignalAt()));
      if (i < PAIRS - 1) {
        // @roamhq/wrtc can crash tearing down a connection still finishing ICE: let it settle first.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        p.pa.destroy();
        p.pb.destroy();
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      } else last = p;
    }

    // Data channel: A sends a cursor-sized state, B answers, A measures.
    const { pa, pb } = last!;
    pb.on('data', (data: Uint8Array) => pb.send(data));
    const dc: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const sent = performance.now();
      await new Promise<void>((resolve) => {
        pa.once('data', () => resolve());
        pa.send(JSON.stringify({ cursor: { anchor: i, head: i }, file: 'main.py' }));
      });
      dc.push(performance.now() - sent);
    }
    pa.destroy();
    pb.destroy();

    // The same exchange as awareness frames through the relay.
    const viaRelay: number[] = [];
    let echoes = 0;
    // Awareness clocks must grow, or the relay rightly ignores the state as old.
    b.frames = (bytes) => {
      if (bytes[0] === MessageType.Awareness) b.ws.send(awarenessFrame(222, ++echoes, { echo: true }));
    };
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const sent = performance.now();
      await new Promise<void>((resolve) => {
        a.frames = (bytes) => {
          if (bytes[0] === MessageType.Awareness) resolve();
        };
        a.ws.send(awarenessFrame(111, i + 1, { cursor: { anchor: i, head: i }, file: 'main.py' }));
      });
      viaRelay.push(performance.now() - sent);
    }
    a.ws.close();
    b.ws.close();

    const s = summarize(setups);
    printTable(
      `WebRTC set-up on loopback: ${PAIRS} fresh pairs, first signal to data channel open (ms)`,
      ['path', 'p50', 'p95', 'max', 'goal'],
      [['signaling through the relay', ms(s.p50), ms(s.p95), ms(s.max), 'p95 < 100']],
    );
    const d = summarize(dc);
    const r = summarize(viaRelay);
    printTable(
      `Awareness round trip, ${ROUND_TRIPS} exchanges (ms)`,
      ['path', 'p50', 'p99', 'max', 'goal'],
      [
        ['peer data channel', ms(d.p50), ms(d.p99), ms(d.max), 'p99 < 5'],
        ['through the relay', ms(r.p50), ms(r.p99), ms(r.max), ''],
      ],
    );
  } finally {
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}
