/** Fork through the HTTP API of a real relay: a copy of the files, owned by the forker, independent after. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  connectSynced,
  getFiles,
  getFileText,
  isTandem,
  RawClient,
  request,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import type * as Y from 'yjs';

function mainText(doc: Y.Doc): Y.Text {
  for (const [, entry] of doc.getMap('files')) {
    const map = entry as Y.Map<unknown>;
    if (map.get('path') === 'main.py') return map.get('text') as Y.Text;
  }
  throw new Error('no main.py');
}

describe('POST /api/rooms/:roomId/fork', () => {
  let relay: RelayProcess;
  const peers: Peer[] = [];

  beforeAll(async () => {
    relay = await startRelay();
  });

  afterAll(async () => {
    for (const peer of peers) peer.provider.destroy();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('lets a viewer copy the current files into a room they own, which then lives on its own', async () => {
    const original = await createRoom(relay.url, { name: 'Lesson', template: 'python' });
    const teacher = await connectSynced(relay.wsUrl, original.roomId, original.token);
    peers.push(teacher);
    mainText(teacher.doc).insert(0, '# typed before the fork\n');
    await waitFor(
      async () =>
        (await getFileText(relay.url, original.roomId, original.token, 'main.py')).startsWith('# typed'),
      'edit stored',
    );

    const viewer = await mintToken(relay.url, original.roomId, original.token, {
      role: 'viewer',
      name: 'Stu',
    });
    // Whoever is in the room is told who made a copy.
    const told = await RawClient.connect(yjsUrl(relay.wsUrl, original.roomId, original.token));
    await told.hello();
    const response = await request(`${relay.url}/api/rooms/${original.roomId}/fork`, {
      method: 'POST',
      token: viewer,
      body: {},
    });
    expect(response.status).toBe(201);
    const notice = await told.waitForFrame(isTandem(MessageType.Forked), 'the fork notice');
    expect(notice.message).toEqual({
      type: MessageType.Forked,
      userId: claimsOf(viewer).uid,
      name: 'Stu',
      atSeq: 0,
    });
    told.close();
    const fork = response.body as { roomId: string; token: string; links: { edit: string; view: string } };
    expect(fork.roomId).not.toBe(original.roomId);
    expect(claimsOf(fork.token)).toMatchObject({ room: fork.roomId, role: 'owner', name: 'Stu' });
    const paths = (files: { path: string }[]) => files.map((f) => f.path);
    expect(paths(await getFiles(relay.url, fork.roomId, fork.token))).toEqual(
      paths(await getFiles(relay.url, original.roomId, original.token)),
    );
    expect(await getFileText(relay.url, fork.roomId, fork.token, 'main.py')).toMatch(
      /^# typed before the fork\n/,
    );

    // Each edits on its own from here.
    const student = await connectSynced(relay.wsUrl, fork.roomId, fork.token);
    peers.push(student);
    mainText(student.doc).insert(0, '# only in the fork\n');
    mainText(teacher.doc).insert(0, '# only in the original\n');
    await waitFor(
      async () =>
        (await getFileText(relay.url, fork.roomId, fork.token, 'main.py')).startsWith('# only in the fork'),
      'fork edit',
    );
    await waitFor(
      async () =>
        (await getFileText(relay.url, original.roomId, original.token, 'main.py')).startsWith(
          '# only in the original',
        ),
      'original edit',
    );
    expect(await getFileText(relay.url, fork.roomId, fork.token, 'main.py')).not.toContain(
      'only in the original',
    );
    expect(await getFileText(relay.url, original.roomId, original.token, 'main.py')).not.toContain(
      'only in the fork',
    );
  });

  it('takes a name, and refuses without a token of that room', async () => {
    const a = await createRoom(relay.url, { template: 'c' });
    const b = await createRoom(relay.url, { template: 'go' });
    const named = await request(`${relay.url}/api/rooms/${a.roomId}/fork`, {
      method: 'POST',
      token: a.token,
      body: { name: 'Mine' },
    });
    expect(named.status).toBe(201);
    expect(
      (await request(`${relay.url}/api/rooms/${a.roomId}/fork`, { method: 'POST', body: {} })).status,
    ).toBe(401);
    expect(
      (await request(`${relay.url}/api/rooms/${a.roomId}/fork`, { method: 'POST', token: b.token, body: {} }))
        .status,
    ).toBe(403);
  });
});
