/**
 * Official y-websocket providers converge through the relay on concurrent edits
 * to several files, and a client that joins later gets everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, listFiles } from '../../shared/schema/project.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import {
  connectSynced,
  getFileText,
  getFiles,
  snapshot,
  sleep,
  textById,
  waitConverged,
  type Peer,
} from './clients.js';

let relay: RelayProcess;
const peers: Peer[] = [];

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

async function join(roomId: string, token: string): Promise<Peer> {
  const peer = await connectSynced(relay.wsUrl, roomId, token);
  peers.push(peer);
  return peer;
}

/** A small deterministic random source (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ytextOf(doc: Y.Doc, fileId: string): Y.Text {
  const entry = doc.getMap('files').get(fileId);
  if (!(entry instanceof Y.Map)) throw new Error(`no file ${fileId}`);
  const text = entry.get('text');
  if (!(text instanceof Y.Text)) throw new Error(`file ${fileId} has no text`);
  return text;
}

/**
 * Every peer, in the same tick (so none has seen the others' edits), inserts a
 * unique token `<pNrM>` at a token boundary of a random file, and sometimes
 * deletes one of its own earlier tokens. Rounds are separated by short random
 * pauses so some edits cross on the wire and some arrive in between.
 * Returns the tokens that must survive and those that must be gone.
 */
async function editConcurrently(
  room: Peer[],
  fileIds: string[],
  rounds: number,
  seed: number,
): Promise<{ kept: Set<string>; deleted: Set<string> }> {
  const rand = random(seed);
  const kept = new Set<string>();
  const deleted = new Set<string>();
  const own = room.map(() => [] as string[]);
  for (let round = 0; round < rounds; round++) {
    room.forEach((peer, p) => {
      const fileId = fileIds[Math.floor(rand() * fileIds.length)]!;
      const text = ytextOf(peer.doc, fileId);
      const current = text.toString();
      const boundaries = [0];
      for (let i = 0; i < current.length; i++) if (current[i] === '>') boundaries.push(i + 1);
      const at = boundaries[Math.floor(rand() * boundaries.length)]!;
      const token = `<p${p}r${round}>`;
      text.insert(at, token);
      kept.add(token);
      own[p]!.push(token);
      if (round % 4 === 3) {
        // delete one of this peer's earlier tokens, wherever it is now
        const victim = own[p]!.shift()!;
        for (const id of fileIds) {
          const other = ytextOf(peer.doc, id);
          const index = other.toString().indexOf(victim);
          if (index >= 0) {
            other.delete(index, victim.length);
            kept.delete(victim);
            deleted.add(victim);
            break;
          }
        }
      }
    });
    await sleep(Math.floor(rand() * 12));
  }
  return { kept, deleted };
}

function expectTokens(doc: Y.Doc, fileIds: string[], kept: Set<string>, deleted: Set<string>): void {
  const all = fileIds.map((id) => textById(doc, id)).join('|');
  for (const token of kept) expect(all.split(token).length - 1, `${token} exactly once`).toBe(1);
  for (const token of deleted) expect(all.includes(token), `${token} deleted`).toBe(false);
  // nothing but the tokens: no duplicated or stray characters
  const tokenChars = [...kept].reduce((sum, token) => sum + token.length, 0);
  expect(all.length - (fileIds.length - 1)).toBe(tokenChars);
}

async function scenario(clients: number, rounds: number, seed: number): Promise<void> {
  const room = await createRoom(relay.url, { name: `converge-${clients}` });
  const tokens = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      i === 0
        ? Promise.resolve(room.token)
        : mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: `peer ${i}` }),
    ),
  );
  const group = await Promise.all(tokens.map((token) => join(room.roomId, token)));

  // several files, created concurrently by different peers
  const fileIds = ['src/a.ts', 'src/b.ts', 'README.md', 'notes.txt'].map((path, i) => {
    const creator = group[i % group.length]!;
    return addFile(creator.doc, path, '', `file${i}`);
  });
  await waitConverged(group.map((peer) => peer.doc));
  expect(listFiles(group[group.length - 1]!.doc).map((f) => f.path)).toEqual([
    'README.md',
    'notes.txt',
    'src/a.ts',
    'src/b.ts',
  ]);

  const { kept, deleted } = await editConcurrently(group, fileIds, rounds, seed);
  await waitConverged(
    group.map((peer) => peer.doc),
    20_000,
  );
  for (const peer of group) expectTokens(peer.doc, fileIds, kept, deleted);
  expect(kept.size).toBe(clients * rounds - deleted.size);

  // a client that joins later gets all of it from the relay
  const late = await join(room.roomId, tokens[1 % tokens.length]!);
  await waitConverged([group[0]!.doc, late.doc]);
  expect(snapshot(late.doc)).toEqual(snapshot(group[0]!.doc));
  expectTokens(late.doc, fileIds, kept, deleted);

  // and the relay's own copy (the files API) says the same
  const files = await getFiles(relay.url, room.roomId, room.token);
  expect(files.map((f) => f.path).sort()).toEqual(Object.keys(snapshot(late.doc)).sort());
  for (const file of files) {
    expect(await getFileText(relay.url, room.roomId, room.token, file.path)).toBe(
      snapshot(late.doc)[file.path],
    );
  }
}

describe('convergence through the relay', () => {
  it('two providers converge on concurrent edits to several files; a late joiner gets it all', async () => {
    await scenario(2, 40, 1);
  });

  it('ten providers converge on concurrent edits to several files; a late joiner gets it all', async () => {
    await scenario(10, 16, 2);
  });

  it('concurrent file creation by every peer leaves every file, each once', async () => {
    const room = await createRoom(relay.url, {});
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: `maker ${i}` }),
      ),
    );
    const group = await Promise.all(tokens.map((token) => join(room.roomId, token)));
    group.forEach((peer, i) => addFile(peer.doc, `made/by-${i}.txt`, `content of ${i}\n`));
    await waitConverged(group.map((peer) => peer.doc));
    const expected = Object.fromEntries(group.map((_, i) => [`made/by-${i}.txt`, `content of ${i}\n`]));
    for (const peer of group) expect(snapshot(peer.doc)).toEqual(expected);
    const late = await join(room.roomId, room.token);
    expect(snapshot(late.doc)).toEqual(expected);
  });

  it('a peer that was offline merges its edits on reconnect', async () => {
    const room = await createRoom(relay.url, {});
    const a = await join(room.roomId, room.token);
    const b = await join(room.roomId, room.token);
    const id = addFile(a.doc, 'shared.txt', 'start\n');
    await waitConverged([a.doc, b.doc]);
    b.provider.disconnect();
    ytextOf(b.doc, id).insert(0, 'offline line\n');
    ytextOf(a.doc, id).insert(ytextOf(a.doc, id).length, 'online line\n');
    await sleep(50);
    expect(textById(a.doc, id)).not.toContain('offline line');
    b.provider.connect();
    await waitConverged([a.doc, b.doc]);
    expect(textById(a.doc, id)).toBe('offline line\nstart\nonline line\n');
  });
});
