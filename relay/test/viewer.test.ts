/**
 * Viewers see everything live but cannot write: their updates and sync step 2
 * are dropped (not applied, not broadcast, not stored) and answered with a
 * y-protocols "permission denied" (and a Tandem `read_only` error after hello);
 * the socket stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { addFile, listFiles } from '../../shared/schema/project.js';
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
  frameSyncStep1,
  frameSyncStep2,
  frameUpdate,
  getFileText,
  getFiles,
  isAuthDenied,
  isTandem,
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

let relay: RelayProcess;
let room: CreatedRoom;
let editorToken: string;
let viewerToken: string;
let editor: Peer;
let editor2: Peer;
let sharedFile: string;
const peers: Peer[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
  room = await createRoom(relay.url, { name: 'read only' });
  editorToken = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Ed' });
  viewerToken = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Vic' });
  editor = await connectSynced(relay.wsUrl, room.roomId, editorToken);
  editor2 = await connectSynced(relay.wsUrl, room.roomId, room.token);
  sharedFile = addFile(editor.doc, 'shared.txt', 'by the editor\n');
  await waitConverged([editor.doc, editor2.doc]);
});

afterAll(async () => {
  for (const peer of new Set([...peers.splice(0), editor, editor2])) peer?.destroy();
  for (const raw of raws.splice(0)) raw.terminate();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

let barrierCount = 0;

/**
 * Editor 2 types a marker and waits for editor 1 to see it. The relay handles a
 * viewer's frame before answering it, so once the answer has arrived and the
 * marker has passed, anything the relay broadcast for that frame would already
 * have reached editor 1.
 */
async function barrier(): Promise<void> {
  const marker = `barrier ${++barrierCount}\n`;
  appendTo(editor2.doc, sharedFile, marker);
  await waitFor(() => textById(editor.doc, sharedFile).endsWith(marker), 'the barrier edit to pass');
}

async function rawViewer(): Promise<RawClient> {
  const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, viewerToken));
  raws.push(client);
  client.send(frameSyncStep1());
  await client.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2 for the viewer');
  return client;
}

describe('viewers', () => {
  it('a viewer provider receives every edit live', async () => {
    const viewer = await connectSynced(relay.wsUrl, room.roomId, viewerToken);
    peers.push(viewer);
    expect(snapshot(viewer.doc)).toEqual(snapshot(editor.doc));
    appendTo(editor.doc, sharedFile, 'live line\n');
    addFile(editor.doc, 'later.txt', 'added later\n');
    await waitConverged([editor.doc, viewer.doc]);
    expect(snapshot(viewer.doc)['later.txt']).toBe('added later\n');
  });

  it('a viewer is not sent sync step 1 (it has nothing to give); an editor is', async () => {
    const viewer = await rawViewer();
    const editorRaw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, editorToken));
    raws.push(editorRaw);
    editorRaw.send(frameSyncStep1());
    await editorRaw.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2 for the editor');
    expect(editorRaw.frames.some((f) => f.kind === 'sync' && f.step === 0)).toBe(true);
    expect(viewer.frames.some((f) => f.kind === 'sync' && f.step === 0)).toBe(false);
  });

  it("a viewer's update is answered with permission denied, not applied, not broadcast, and the socket stays open", async () => {
    const viewer = await rawViewer();
    const from = viewer.frames.length;
    viewer.send(frameUpdate(updateAddingFile('from-viewer.txt', 'viewer wrote this', viewer.doc)));
    const denied = await viewer.waitForFrame(isAuthDenied, 'permission denied', { from });
    expect(denied.reason.length).toBeGreaterThan(0);
    // no Tandem messages for a connection that did not say hello
    expect(viewer.frames.some((f) => f.kind === 'tandem')).toBe(false);
    await barrier();
    expect(snapshot(editor.doc)['from-viewer.txt']).toBeUndefined();
    expect(viewer.isOpen).toBe(true);
    // and it still receives live edits
    appendTo(editor.doc, sharedFile, 'seen by the raw viewer\n');
    await viewer.until(
      () => textById(viewer.doc, sharedFile).endsWith('seen by the raw viewer\n'),
      'the raw viewer to receive a live edit after its refusal',
    );
  });

  it("a hello'd viewer's sync step 2 gets permission denied and a Tandem read_only error", async () => {
    const viewer = await rawViewer();
    const welcome = await viewer.hello();
    expect(welcome.role).toBe('viewer');
    const from = viewer.frames.length;
    viewer.send(frameSyncStep2(updateAddingFile('step2-from-viewer.txt', 'nope', viewer.doc)));
    await viewer.waitForFrame(isAuthDenied, 'permission denied', { from });
    const error = await viewer.waitForFrame(isTandem(MessageType.Error), 'a Tandem error', { from });
    expect(error.message.code).toBe(ErrorCode.ReadOnly);
    expect(error.message.message.length).toBeGreaterThan(0);
    await barrier();
    expect(snapshot(editor.doc)['step2-from-viewer.txt']).toBeUndefined();
    expect(viewer.isOpen).toBe(true);
  });

  it("a viewer provider's local edits never reach anyone, the files API, or the disk", async () => {
    const viewer = await connectSynced(relay.wsUrl, room.roomId, viewerToken);
    peers.push(viewer);
    const before = snapshot(editor.doc);
    const denials: string[] = [];
    // y-websocket logs permission denied with console.warn; count them through its handler table
    const original = viewer.provider.messageHandlers[MessageType.Auth]!;
    viewer.provider.messageHandlers[MessageType.Auth] = (encoder, decoder, provider, emitSynced, type) => {
      denials.push('denied');
      original(encoder, decoder, provider, emitSynced, type);
    };
    const warn = console.warn;
    console.warn = () => {};
    try {
      addFile(viewer.doc, 'viewer-file.txt', 'should vanish\n');
      appendTo(viewer.doc, sharedFile, 'viewer typing\n');
      // the relay may answer a burst of refused edits with one message
      await waitFor(() => denials.length >= 1, 'a permission denied for the viewer edits');
    } finally {
      console.warn = warn;
    }
    await barrier();
    expect(snapshot(editor.doc)['viewer-file.txt']).toBeUndefined();
    expect(textById(editor.doc, sharedFile)).not.toContain('viewer typing');
    expect(Object.keys(snapshot(editor.doc)).sort()).toEqual(Object.keys(before).sort());

    // the relay's own copy agrees
    const files = await getFiles(relay.url, room.roomId, viewerToken);
    expect(files.map((f) => f.path)).not.toContain('viewer-file.txt');
    expect(await getFileText(relay.url, room.roomId, viewerToken, 'shared.txt')).not.toContain(
      'viewer typing',
    );

    // the viewer is still connected and still receives
    expect(viewer.provider.wsconnected).toBe(true);
    appendTo(editor.doc, sharedFile, 'after the refusal\n');
    await waitFor(
      () => textById(viewer.doc, sharedFile).includes('after the refusal\n'),
      'the refused viewer to keep receiving',
    );

    // and nothing of it was stored: restart and look with a fresh client
    const expected = snapshot(editor.doc);
    for (const peer of [...peers.splice(0), editor, editor2]) peer.destroy();
    for (const client of raws.splice(0)) client.terminate();
    const { dataDir, port } = relay;
    expect(await relay.stop()).toBe(0);
    relay = await startRelay({ dataDir, port });
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(fresh);
    expect(snapshot(fresh.doc)).toEqual(expected);
    expect(listFiles(fresh.doc).map((f) => f.path)).not.toContain('viewer-file.txt');
    // keep the shared peers usable for afterAll
    editor = fresh;
    editor2 = fresh;
    peers.splice(0);
  });
});
