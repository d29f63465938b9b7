/**
 * What the relay has acknowledged or broadcast survives a restart: SIGTERM
 * (flush, exit 0) and kill -9 (no chance to flush), both while people type.
 * After a restart nothing acknowledged is missing and nothing is duplicated, and
 * providers reconnect by themselves and converge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile } from '../../shared/schema/project.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import {
  appendTo,
  connectSynced,
  frameSyncStep1,
  frameTandem,
  frameUpdate,
  getFileText,
  isTandem,
  RawClient,
  snapshot,
  textById,
  updateAddingFile,
  waitConverged,
  waitFor,
  waitSynced,
  yjsUrl,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';

let relay: RelayProcess;
let dataDir: string;
let port: number;
const peers: Peer[] = [];

beforeAll(async () => {
  relay = await startRelay();
  dataDir = relay.dataDir;
  port = relay.port;
});

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await relay?.stop();
  if (dataDir) removeDataDir(dataDir);
});

async function join(roomId: string, token: string): Promise<Peer> {
  const peer = await connectSynced(relay.wsUrl, roomId, token);
  peers.push(peer);
  return peer;
}

function destroy(...group: Peer[]): void {
  for (const peer of group) {
    peer.destroy();
    peers.splice(peers.indexOf(peer), 1);
  }
}

/** Stops the relay the given way and starts a new one on the same port and data dir. */
async function restart(how: 'sigterm' | 'kill9'): Promise<number | null> {
  const code = how === 'sigterm' ? await relay.stop() : await relay.kill9();
  relay = await startRelay({ dataDir, port });
  return code;
}

async function typeThroughRestart(how: 'sigterm' | 'kill9'): Promise<void> {
  const room = await createRoom(relay.url, { name: `typing ${how}` });
  const [tokenA, tokenB, tokenO] = await Promise.all(
    ['typist A', 'typist B', 'observer'].map((name) =>
      mintToken(relay.url, room.roomId, room.token, { role: 'editor', name }),
    ),
  );
  const a = await join(room.roomId, tokenA!);
  const b = await join(room.roomId, tokenB!);
  const observer = await join(room.roomId, tokenO!);

  // one author per file, so each file's text is a plain sequence of chunks
  const authorOf = { a1: a, a2: a, b1: b } as const;
  const ids = Object.keys(authorOf) as (keyof typeof authorOf)[];
  for (const id of ids) addFile(authorOf[id].doc, `${id}.txt`, '', id);
  await waitConverged([a.doc, b.doc, observer.doc]);

  let seq = 0;
  const typed: Record<string, string> = { a1: '', a2: '', b1: '' };
  const typing = setInterval(() => {
    for (const id of ids) {
      const chunk = `${id}#${seq};`;
      appendTo(authorOf[id].doc, id, chunk);
      typed[id] += chunk;
    }
    seq += 1;
  }, 2);

  try {
    // mid-typing: the observer has seen a good number of chunks in every file
    await waitFor(
      () => ids.every((id) => textById(observer.doc, id).split(';').length > 30),
      'the observer to receive 30 chunks of every file',
      20_000,
    );
    const exitCode = how === 'sigterm' ? await relay.stop() : await relay.kill9();
    if (how === 'sigterm') expect(exitCode, 'SIGTERM exits cleanly').toBe(0);
  } finally {
    clearInterval(typing);
  }

  // Everything the observer holds came from the relay, so the relay had broadcast it.
  const received = Object.fromEntries(ids.map((id) => [id, textById(observer.doc, id)]));
  for (const id of ids) expect(typed[id]!.startsWith(received[id]!)).toBe(true);

  // Keep the old clients away until the new relay's own state has been checked.
  for (const peer of [a, b, observer]) peer.provider.disconnect();
  relay = await startRelay({ dataDir, port });

  const fresh = await join(room.roomId, room.token);
  const restored = snapshot(fresh.doc);
  expect(Object.keys(restored).sort()).toEqual(['a1.txt', 'a2.txt', 'b1.txt']);
  for (const id of ids) {
    const text = textById(fresh.doc, id);
    // nothing broadcast is missing...
    expect(text.startsWith(received[id]!), `${id}: everything broadcast survived`).toBe(true);
    // ...and nothing is duplicated or invented: it is a prefix of what the typist typed
    expect(typed[id]!.startsWith(text), `${id}: a prefix of what was typed`).toBe(true);
  }

  // The old providers come back and everything converges to exactly what was typed.
  for (const peer of [a, b, observer]) peer.provider.connect();
  await waitConverged([a.doc, b.doc, observer.doc, fresh.doc], 20_000);
  for (const id of ids) expect(textById(fresh.doc, id)).toBe(typed[id]);
  destroy(a, b, observer, fresh);
}

describe('durability across restarts', () => {
  it('an update whose syncStatus was echoed survives kill -9 right after the echo', async () => {
    const room = await createRoom(relay.url, {});
    const raw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await raw.hello();
    raw.send(frameSyncStep1());
    await raw.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2');
    raw.send(frameUpdate(updateAddingFile('acked.txt', 'stored before the echo\n', raw.doc)));
    raw.send(frameTandem({ type: MessageType.SyncStatus, counter: 42 }));
    const echo = await raw.waitForFrame(isTandem(MessageType.SyncStatus), 'syncStatus echo');
    expect(echo.message.counter).toBe(42);

    await restart('kill9');
    await raw.waitClosed();

    const fresh = await join(room.roomId, room.token);
    expect(snapshot(fresh.doc)).toEqual({ 'acked.txt': 'stored before the echo\n' });
    expect(await getFileText(relay.url, room.roomId, room.token, 'acked.txt')).toBe(
      'stored before the echo\n',
    );
    destroy(fresh);
  });

  it('kill -9 mid-typing: everything broadcast survives, nothing is duplicated, all converge', async () => {
    await typeThroughRestart('kill9');
  });

  it('SIGTERM mid-typing: exit 0, everything broadcast survives, nothing is duplicated', async () => {
    await typeThroughRestart('sigterm');
  });

  it('providers reconnect by themselves after a restart and merge what was typed while it was down', async () => {
    const room = await createRoom(relay.url, {});
    const editor = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'B' });
    const a = await join(room.roomId, room.token);
    const b = await join(room.roomId, editor);
    const id = addFile(a.doc, 'live.txt', 'before\n');
    await waitConverged([a.doc, b.doc]);

    await relay.kill9();
    await waitFor(() => !a.provider.wsconnected && !b.provider.wsconnected, 'providers to notice');
    appendTo(a.doc, id, 'A while down\n');
    appendTo(b.doc, id, 'B while down\n');
    relay = await startRelay({ dataDir, port });

    await waitSynced(a, 20_000);
    await waitSynced(b, 20_000);
    await waitConverged([a.doc, b.doc]);
    const text = textById(a.doc, id);
    expect(text.startsWith('before\n')).toBe(true);
    expect(text.split('A while down\n').length - 1).toBe(1);
    expect(text.split('B while down\n').length - 1).toBe(1);
    expect(text.length).toBe('before\nA while down\nB while down\n'.length);

    // and keep syncing live afterwards
    appendTo(b.doc, id, 'after\n');
    await waitFor(() => textById(a.doc, id).endsWith('after\n'), 'A to see B type after the restart');

    // the relay stored the merge: a fresh client after another restart sees it
    destroy(a, b);
    await restart('sigterm');
    const fresh = await join(room.roomId, room.token);
    expect(textById(fresh.doc, id)).toBe(text + 'after\n');
    destroy(fresh);
  });

  it('a room survives many restarts without growing duplicates', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const first = await join(room.roomId, room.token);
    const before = snapshot(first.doc);
    expect(before['main.py']).toContain('Hello');
    destroy(first);
    await restart('kill9');
    await restart('sigterm');
    const again = await join(room.roomId, room.token);
    expect(snapshot(again.doc)).toEqual(before);
    destroy(again);
  });
});
