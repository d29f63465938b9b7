/**
 * Hand-built hostile frames against a real relay. Each one closes the socket
 * that sent it with its named close code and a reason; the relay stays up, the
 * same room's other clients keep their document untouched, and a room next door
 * keeps syncing as if nothing happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CloseCode, CloseReason } from '../../shared/protocol/closeCodes.js';
import { addFile } from '../../shared/schema/project.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  appendTo,
  connectSynced,
  frameAwareness,
  frameSyncStep2,
  frameUpdate,
  awarenessUpdate,
  health,
  RawClient,
  snapshot,
  textById,
  updateAddingFile,
  waitConverged,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';

const MAX_MESSAGE_BYTES = 64 * 1024;

let relay: RelayProcess;
let hostileRoom: CreatedRoom;
let hostileToken: string;
let bystander: Peer;
let bystanderBefore: Record<string, string>;
let quietA: Peer;
let quietB: Peer;
let quietFile: string;

beforeAll(async () => {
  relay = await startRelay({ env: { TANDEM_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } });
  hostileRoom = await createRoom(relay.url, { name: 'hostile', template: 'python' });
  hostileToken = await mintToken(relay.url, hostileRoom.roomId, hostileRoom.token, {
    role: 'editor',
    name: 'Mallory',
  });
  bystander = await connectSynced(relay.wsUrl, hostileRoom.roomId, hostileRoom.token);
  bystanderBefore = snapshot(bystander.doc);
  expect(bystanderBefore['main.py']).toContain('Hello');

  const quiet = await createRoom(relay.url, { name: 'quiet' });
  quietA = await connectSynced(relay.wsUrl, quiet.roomId, quiet.token);
  quietB = await connectSynced(relay.wsUrl, quiet.roomId, quiet.token);
  quietFile = addFile(quietA.doc, 'log.txt', '');
  await waitConverged([quietA.doc, quietB.doc]);
});

afterAll(async () => {
  for (const peer of [bystander, quietA, quietB]) peer?.destroy();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** A frame of `type` followed by `body` as a length-prefixed byte array. */
function withLength(prefix: number[], body: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const value of prefix) encoding.writeVarUint(encoder, value);
  encoding.writeVarUint8Array(encoder, body);
  return encoding.toUint8Array(encoder);
}

function varUint(value: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}

/** A valid update that would add `evil.txt`: the base for crafted variants. */
function evilUpdate(): Uint8Array {
  return updateAddingFile('evil.txt', 'this must never be stored', bystander.doc);
}

/** An update whose one item names content type 31, which does not exist. */
function unknownContentRefUpdate(): Uint8Array {
  const doc = new Y.Doc();
  // A fixed client id: a random one can hold the byte 0x28 itself, and the search
  // below would then corrupt the client id instead of the content reference.
  doc.clientID = 7;
  doc.getMap('files').set('x', 'y');
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  // 1 struct group, 1 struct, client 7, clock 0, then the info byte: parentSub + ContentAny.
  const INFO_AT = 4;
  if (update[INFO_AT] !== 0x28) throw new Error('unexpected update layout');
  update[INFO_AT] = 0x20 | 31;
  return update;
}

interface HostileCase {
  name: string;
  frame: () => Uint8Array;
  code: number;
}

const MALFORMED = CloseCode.MalformedMessage;

const cases: HostileCase[] = [
  { name: 'zero-length frame', frame: () => new Uint8Array(0), code: MALFORMED },
  { name: 'garbage bytes', frame: () => bytes(0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37), code: MALFORMED },
  { name: 'truncated varint (message type)', frame: () => bytes(0x80), code: MALFORMED },
  { name: 'truncated varint (sync step)', frame: () => bytes(MessageType.Sync, 0xff), code: MALFORMED },
  {
    name: 'truncated varint (update length)',
    frame: () => bytes(MessageType.Sync, 2, 0xff, 0xff),
    code: MALFORMED,
  },
  {
    name: 'update length beyond the frame',
    frame: () => bytes(MessageType.Sync, 2, 0x40, 1, 2, 3),
    code: MALFORMED,
  },
  { name: 'unknown message type 4', frame: () => bytes(4), code: MALFORMED },
  { name: 'unknown message type 99', frame: () => bytes(99), code: MALFORMED },
  { name: 'unknown Tandem message type 150', frame: () => varUint(150), code: MALFORMED },
  { name: 'unknown sync step 7', frame: () => withLength([MessageType.Sync, 7], bytes(0)), code: MALFORMED },
  {
    name: 'sync step 1 with a garbage state vector',
    frame: () => withLength([MessageType.Sync, 0], bytes(0x05, 0xff)),
    code: MALFORMED,
  },
  {
    name: 'update of random bytes',
    frame: () => frameUpdate(bytes(0x01, 0x01, 0xff, 0x13, 0x37, 0x00, 0xde, 0xad)),
    code: MALFORMED,
  },
  {
    name: 'sync step 2 of random bytes',
    frame: () => frameSyncStep2(bytes(0x07, 0x03, 0x99, 0x42)),
    code: MALFORMED,
  },
  {
    name: 'valid update cut in half',
    frame: () => {
      const update = evilUpdate();
      return frameUpdate(update.slice(0, Math.floor(update.length / 2)));
    },
    code: MALFORMED,
  },
  {
    name: 'valid update missing its delete set',
    frame: () => {
      const update = evilUpdate();
      return frameUpdate(update.slice(0, update.length - 1));
    },
    code: MALFORMED,
  },
  {
    name: 'update claiming four billion structs',
    frame: () => frameUpdate(bytes(1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0)),
    code: MALFORMED,
  },
  {
    name: 'update with an unknown content type',
    frame: () => frameUpdate(unknownContentRefUpdate()),
    code: MALFORMED,
  },
  {
    name: 'trailing bytes after a valid update',
    frame: () => concat(frameUpdate(evilUpdate()), bytes(0x00)),
    code: MALFORMED,
  },
  {
    name: 'trailing bytes after a valid awareness update',
    frame: () =>
      concat(
        frameAwareness(awarenessUpdate([{ clientId: 424242, clock: 1, state: { cursor: 1 } }])),
        bytes(7),
      ),
    code: MALFORMED,
  },
  {
    name: 'awareness update with a truncated entry',
    frame: () => withLength([MessageType.Awareness], bytes(5, 0x01)),
    code: MALFORMED,
  },
  {
    name: 'awareness state that is not JSON',
    frame: () => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint(encoder, 434343);
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarString(encoder, '{"user": not json');
      return frameAwareness(encoding.toUint8Array(encoder));
    },
    code: MALFORMED,
  },
  { name: 'hello without its version', frame: () => bytes(MessageType.Hello), code: MALFORMED },
  { name: 'hello with trailing bytes', frame: () => bytes(MessageType.Hello, 1, 7), code: MALFORMED },
  { name: 'syncStatus without its counter', frame: () => bytes(MessageType.SyncStatus), code: MALFORMED },
  {
    name: 'hello with another protocol version',
    frame: () => bytes(MessageType.Hello, 99),
    code: CloseCode.ProtocolMismatch,
  },
  {
    name: `frame over TANDEM_MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES})`,
    frame: () => frameUpdate(new Uint8Array(MAX_MESSAGE_BYTES + 1024).fill(0x41)),
    code: CloseCode.MessageTooLarge,
  },
];

let marker = 0;

/** The room next door still syncs both ways. */
async function quietRoomStillSyncs(label: string): Promise<void> {
  const a = `A after ${label} #${++marker}\n`;
  appendTo(quietA.doc, quietFile, a);
  await waitFor(() => textById(quietB.doc, quietFile).endsWith(a), `the quiet room to sync after ${label}`);
  const b = `B after ${label} #${++marker}\n`;
  appendTo(quietB.doc, quietFile, b);
  await waitFor(
    () => textById(quietA.doc, quietFile).endsWith(b),
    `the quiet room to sync back after ${label}`,
  );
}

describe('hostile frames', () => {
  it.each(cases)(
    '$name: closed with $code, relay and other rooms carry on',
    async ({ name, frame, code }) => {
      const raw = await RawClient.connect(yjsUrl(relay.wsUrl, hostileRoom.roomId, hostileToken));
      raw.send(frame());
      const close = await raw.waitClosed();
      expect(close.code).toBe(code);
      if (code !== CloseCode.MessageTooLarge) {
        // 1009 comes from the ws library, which sends no reason; the relay's own codes carry one
        expect(close.reason).toContain(CloseReason[code as keyof typeof CloseReason]);
      }

      const status = await health(relay.url);
      expect(status.status).toBe(200);
      expect(status.body.ok).toBe(true);

      await quietRoomStillSyncs(name);

      // the bystander in the hostile room is still connected and saw nothing change
      expect(bystander.provider.wsconnected).toBe(true);
      expect(snapshot(bystander.doc)).toEqual(bystanderBefore);
    },
  );

  it('after every hostile frame, the hostile room serves a fresh client its untouched document', async () => {
    const fresh = await connectSynced(relay.wsUrl, hostileRoom.roomId, hostileToken);
    try {
      expect(snapshot(fresh.doc)).toEqual(bystanderBefore);
      expect(Y.encodeStateVector(fresh.doc)).toEqual(Y.encodeStateVector(bystander.doc));
      // and it still takes legitimate edits
      addFile(fresh.doc, 'fine.txt', 'ok\n');
      await waitFor(
        () => snapshot(bystander.doc)['fine.txt'] === 'ok\n',
        'a legitimate edit after the attacks',
      );
    } finally {
      fresh.destroy();
    }
  });

  it('several hostile sockets at once do not disturb the room next door', async () => {
    const attackers = await Promise.all(
      cases.map(() => RawClient.connect(yjsUrl(relay.wsUrl, hostileRoom.roomId, hostileToken))),
    );
    attackers.forEach((raw, i) => raw.send(cases[i]!.frame()));
    const closes = await Promise.all(attackers.map((raw) => raw.waitClosed()));
    expect(closes.map((c) => c.code)).toEqual(cases.map((c) => c.code));
    await quietRoomStillSyncs('a volley');
    expect((await health(relay.url)).status).toBe(200);
  });
});
