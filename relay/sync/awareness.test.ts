import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { TokenClaims } from '../../shared/token.js';
import {
  AWARENESS_STATE_MAX_BYTES,
  CLIENT_IDS_PER_CONNECTION_MAX,
  RoomAwareness,
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
  stampState,
  type AwarenessEntry,
  type AwarenessSender,
} from './awareness.js';
import { ProtocolError } from '../../shared/protocol/fields.js';

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];

function sender(uid: string, name = `name of ${uid}`, role: TokenClaims['role'] = 'editor'): AwarenessSender {
  return { claims: { room: 'room', uid, name, role, exp: 2_000_000_000 } };
}

const state = (value: object): string => JSON.stringify(value);
const entry = (clientId: number, clock: number, value: object | null): AwarenessEntry => ({
  clientId,
  clock,
  state: value === null ? null : state(value),
});

function raw(build: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  build(e);
  return encoding.toUint8Array(e);
}

describe('awareness codec', () => {
  const entries: AwarenessEntry[] = [
    entry(1, 0, { user: { name: 'a', color: '#f00' }, cursor: { anchor: 3 } }),
    entry(4_294_967_295, 12345, {}),
    entry(7, 3, null),
    entry(8, 1, { text: 'Zoë 😀' }),
  ];

  it('round-trips', () => {
    expect(decodeAwarenessUpdate(encodeAwarenessUpdate(entries))).toEqual(entries);
    expect(decodeAwarenessUpdate(encodeAwarenessUpdate([]))).toEqual([]);
  });

  it('encodes golden bytes: varUint count, then clientID, clock, JSON string', () => {
    expect(encodeAwarenessUpdate([entry(5, 2, {})])).toEqual(new Uint8Array([1, 5, 2, 2, 0x7b, 0x7d]));
    expect(encodeAwarenessUpdate([{ clientId: 300, clock: 0, state: null }])).toEqual(
      new Uint8Array([1, 0xac, 0x02, 0, 4, ...utf8('null')]),
    );
    expect(encodeAwarenessUpdate([])).toEqual(new Uint8Array([0]));
    expect(decodeAwarenessUpdate(new Uint8Array([1, 5, 2, 2, 0x7b, 0x7d]))).toEqual([entry(5, 2, {})]);
  });

  it("reads and writes the same bytes as y-protocols' awareness", () => {
    const doc = new Y.Doc();
    doc.clientID = 77;
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: { name: 'x' }, cursor: null });
    const theirs = awarenessProtocol.encodeAwarenessUpdate(awareness, [77]);
    const decoded = decodeAwarenessUpdate(theirs);
    expect(decoded).toHaveLength(1);
    expect(decoded[0]!.clientId).toBe(77);
    expect(JSON.parse(decoded[0]!.state!)).toEqual({ user: { name: 'x' }, cursor: null });
    expect(encodeAwarenessUpdate(decoded)).toEqual(theirs);

    const other = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(other, encodeAwarenessUpdate([entry(9, 4, { a: 1 })]), 'test');
    expect(other.getStates().get(9)).toEqual({ a: 1 });
    awareness.destroy();
    other.destroy();
  });

  it.each([
    ['a number', '1'],
    ['a string', '"hi"'],
    ['an array', '[1]'],
    ['true', 'true'],
  ])('refuses a state that is %s', (_label, json) => {
    const bytes = raw((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 0);
      encoding.writeVarString(e, json);
    });
    expect(() => decodeAwarenessUpdate(bytes)).toThrow(ProtocolError);
  });

  it('refuses invalid JSON', () => {
    for (const json of ['', '{', 'undefined', "{'a':1}"]) {
      const bytes = raw((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 0);
        encoding.writeVarString(e, json);
      });
      expect(() => decodeAwarenessUpdate(bytes), json).toThrow(ProtocolError);
    }
  });

  it('refuses every strict prefix', () => {
    const bytes = encodeAwarenessUpdate(entries);
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeAwarenessUpdate(bytes.subarray(0, length)), `length ${length}`).toThrow(
        ProtocolError,
      );
    }
  });

  it('refuses trailing bytes', () => {
    expect(() => decodeAwarenessUpdate(new Uint8Array([...encodeAwarenessUpdate(entries), 0]))).toThrow(
      ProtocolError,
    );
    expect(() => decodeAwarenessUpdate(new Uint8Array([0, 0]))).toThrow(ProtocolError);
  });

  it('refuses a count larger than the bytes could hold', () => {
    expect(() => decodeAwarenessUpdate(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0, 2]))).toThrow(
      ProtocolError,
    );
    expect(() => decodeAwarenessUpdate(new Uint8Array([3, 1, 0, 2, 0x7b, 0x7d]))).toThrow(ProtocolError);
  });
});

describe('stampState', () => {
  const claims = sender('u1', 'Alice', 'viewer').claims;

  it("overwrites the user's id, name and role and keeps everything else", () => {
    const stamped = JSON.parse(
      stampState(
        state({ user: { id: 'root', name: 'Mallory', role: 'owner', color: '#0f0' }, cursor: { head: 4 } }),
        claims,
      ),
    );
    expect(stamped).toEqual({
      user: { id: 'u1', name: 'Alice', role: 'viewer', color: '#0f0' },
      cursor: { head: 4 },
    });
  });

  it('adds a user when there is none or it is not an object', () => {
    for (const user of [undefined, null, 'Mallory', 7, ['a']]) {
      expect(JSON.parse(stampState(state({ user, x: 1 }), claims))).toEqual({
        user: { id: 'u1', name: 'Alice', role: 'viewer' },
        x: 1,
      });
    }
  });
});

describe('RoomAwareness', () => {
  it('stamps accepted states with the sender identity', () => {
    const room = new RoomAwareness();
    const alice = sender('alice', 'Alice', 'owner');
    const { accepted, refused } = room.apply(alice, [
      entry(1, 1, { user: { id: 'bob', name: 'Bob', role: 'viewer', color: 'red' }, cursor: { anchor: 1 } }),
    ]);
    expect(refused).toBe(0);
    expect(accepted).toHaveLength(1);
    expect(JSON.parse(accepted[0]!.state!)).toEqual({
      user: { id: 'alice', name: 'Alice', role: 'owner', color: 'red' },
      cursor: { anchor: 1 },
    });
    const live = decodeAwarenessUpdate(room.encodeLive()!);
    expect(live).toEqual(accepted);
    expect(room.liveCount).toBe(1);
  });

  it("refuses a sender with another uid setting or removing someone else's client id", () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    const mallory = sender('mallory');
    room.apply(alice, [entry(1, 1, { cursor: 1 })]);
    expect(room.apply(mallory, [entry(1, 2, { cursor: 666 })])).toEqual({
      accepted: [],
      refused: 1,
      tooLarge: 0,
    });
    expect(room.apply(mallory, [entry(1, 5, null)])).toEqual({ accepted: [], refused: 1, tooLarge: 0 });
    const live = decodeAwarenessUpdate(room.encodeLive()!);
    expect(live).toHaveLength(1);
    expect(JSON.parse(live[0]!.state!)).toMatchObject({ cursor: 1, user: { id: 'alice' } });
    // Mallory's own ids are fine.
    expect(room.apply(mallory, [entry(2, 1, {}), entry(1, 9, {})])).toMatchObject({ refused: 1 });
    expect(room.liveCount).toBe(2);
  });

  it('lets the same uid on a new connection take over (reconnect)', () => {
    const room = new RoomAwareness();
    const oldSocket = sender('alice');
    const newSocket = sender('alice');
    room.apply(oldSocket, [entry(1, 1, { cursor: 1 })]);
    const { accepted, refused } = room.apply(newSocket, [entry(1, 2, { cursor: 2 })]);
    expect(refused).toBe(0);
    expect(accepted.map((e) => e.clock)).toEqual([2]);
    // The old socket closing no longer removes the state: it is the new socket's now.
    expect(room.removeAll(oldSocket)).toEqual([]);
    expect(room.liveCount).toBe(1);
    expect(room.removeAll(newSocket)).toEqual([{ clientId: 1, clock: 3, state: null }]);
  });

  it('ignores older clocks and, at an equal clock, accepts only a removal', () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    room.apply(alice, [entry(1, 5, { v: 5 })]);
    expect(room.apply(alice, [entry(1, 4, { v: 4 })])).toEqual({ accepted: [], refused: 0, tooLarge: 0 });
    expect(room.apply(alice, [entry(1, 5, { v: 'same clock' })])).toEqual({
      accepted: [],
      refused: 0,
      tooLarge: 0,
    });
    expect(JSON.parse(decodeAwarenessUpdate(room.encodeLive()!)[0]!.state!)).toMatchObject({ v: 5 });
    expect(room.apply(alice, [entry(1, 5, null)])).toEqual({
      accepted: [{ clientId: 1, clock: 5, state: null }],
      refused: 0,
      tooLarge: 0,
    });
    // A second removal at that clock is old news.
    expect(room.apply(alice, [entry(1, 5, null)]).accepted).toEqual([]);
    expect(room.encodeLive()).toBeNull();
    expect(room.apply(alice, [entry(1, 6, { v: 6 })]).accepted).toHaveLength(1);
  });

  it('removeAll removes only that sender, with clock + 1, and encodeLive leaves them out', () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    const bob = sender('bob');
    room.apply(alice, [entry(1, 3, {}), entry(2, 7, {})]);
    room.apply(bob, [entry(3, 1, {})]);
    expect(room.liveCount).toBe(3);
    expect(room.removeAll(alice)).toEqual([
      { clientId: 1, clock: 4, state: null },
      { clientId: 2, clock: 8, state: null },
    ]);
    expect(room.liveCount).toBe(1);
    expect(decodeAwarenessUpdate(room.encodeLive()!).map((e) => e.clientId)).toEqual([3]);
    expect(room.removeAll(alice)).toEqual([]);
    // A late update from before the removal is stale.
    expect(room.apply(alice, [entry(1, 4, {})]).accepted).toEqual([]);
    expect(room.removeAll(bob)).toHaveLength(1);
    expect(room.encodeLive()).toBeNull();
  });

  it('keeps a removed client id bound to its user: others cannot take it, the user can come back', () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    room.apply(alice, [entry(1, 1, { cursor: 1 })]);
    room.removeAll(alice);
    const mallory = sender('mallory');
    expect(room.apply(mallory, [entry(1, 10, { cursor: 666 })])).toEqual({
      accepted: [],
      refused: 1,
      tooLarge: 0,
    });
    const aliceAgain = sender('alice');
    expect(room.apply(aliceAgain, [entry(1, 3, { cursor: 2 })]).accepted).toHaveLength(1);
    expect(decodeAwarenessUpdate(room.encodeLive()!)[0]!.state).toContain('"cursor":2');
  });

  it(`caps one connection at ${CLIENT_IDS_PER_CONNECTION_MAX} client ids`, () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    const many = Array.from({ length: CLIENT_IDS_PER_CONNECTION_MAX + 3 }, (_, i) => entry(100 + i, 1, {}));
    const { accepted, refused } = room.apply(alice, many);
    expect(accepted).toHaveLength(CLIENT_IDS_PER_CONNECTION_MAX);
    expect(refused).toBe(3);
    // Updating an id it owns is still fine at the cap; a new one is not.
    expect(room.apply(alice, [entry(100, 2, { again: true })])).toMatchObject({ refused: 0 });
    expect(room.apply(alice, [entry(999, 1, {})])).toMatchObject({ refused: 1 });
    // The cap is per connection: another socket of the same user has its own.
    expect(room.apply(sender('alice'), [entry(999, 1, {})])).toMatchObject({ refused: 0 });
    // Removing one frees a slot.
    room.apply(alice, [entry(101, 2, null)]);
    expect(room.apply(alice, [entry(1000, 1, {})])).toMatchObject({ refused: 0 });
  });

  it('stays bounded when a sender churns through client ids', () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    for (let id = 0; id < 5000; id++) {
      room.apply(alice, [entry(id, 1, {})]);
      room.apply(alice, [entry(id, 2, null)]);
    }
    expect(room.liveCount).toBe(0);
    expect(room.encodeLive()).toBeNull();
    // Forgotten entries are pruned, not kept forever.
    expect((room as unknown as { known: Map<number, unknown> }).known.size).toBeLessThanOrEqual(1000);
    expect(room.apply(alice, [entry(5000, 1, {})]).accepted).toHaveLength(1);
  });
});

describe('RoomAwareness with official clients', () => {
  it('skips a client echoing back the states it received, without counting a refusal', () => {
    const room = new RoomAwareness();
    const alice = sender('alice');
    const bob = sender('bob');
    const [stamped] = room.apply(alice, [entry(1, 5, { cursor: 1 })]).accepted;
    // Bob's provider received Alice's stamped state and sends it back unchanged.
    expect(room.apply(bob, [stamped!])).toEqual({ accepted: [], refused: 0, tooLarge: 0 });
    const [removal] = room.removeAll(alice);
    expect(room.apply(bob, [removal!])).toEqual({ accepted: [], refused: 0, tooLarge: 0 });
  });

  it('refuses a state past the size cap, and states past the room cap together', () => {
    const room = new RoomAwareness(16 * 1024);
    const alice = sender('alice');
    const big = { blob: 'x'.repeat(AWARENESS_STATE_MAX_BYTES) };
    expect(room.apply(alice, [entry(1, 1, big)])).toMatchObject({ accepted: [], tooLarge: 1 });
    const oversize = decodeAwarenessUpdate(
      encodeAwarenessUpdate([{ clientId: 2, clock: 1, state: JSON.stringify(big) }]),
    );
    expect(oversize[0]).toMatchObject({ oversize: true });
    expect(room.apply(alice, oversize)).toMatchObject({ accepted: [], tooLarge: 1 });
    const fits = { blob: 'y'.repeat(6 * 1024) };
    expect(room.apply(alice, [entry(3, 1, fits), entry(4, 1, fits), entry(5, 1, fits)])).toMatchObject({
      tooLarge: 1,
    });
    expect(room.bytes).toBeLessThanOrEqual(16 * 1024);
    // A removal frees its share for someone else.
    room.apply(alice, [entry(3, 2, null)]);
    expect(room.apply(sender('bob'), [entry(6, 1, fits)])).toMatchObject({ tooLarge: 0 });
    room.removeAll(alice);
    const live = decodeAwarenessUpdate(room.encodeLive()!);
    expect(live.map((e) => e.clientId)).toEqual([6]);
    expect(room.bytes).toBe(Buffer.byteLength(live[0]!.state!));
  });
});
