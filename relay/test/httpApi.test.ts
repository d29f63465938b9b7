/**
 * The public HTTP API as README documents it: rooms (with templates), tokens,
 * join, files, health, and the JSON error shape with its status codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isErrorCode } from '../../shared/protocol/errors.js';
import { addFile, metaOf } from '../../shared/schema/project.js';
import { TEMPLATES } from '../../shared/schema/templates.js';
import { NAME_MAX_CHARS } from '../../shared/token.js';
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
  claimsOf,
  connectSynced,
  getFiles,
  health,
  RawClient,
  request,
  tokenFromLink,
  waitFor,
  yjsUrl,
  type JsonResponse,
  type Peer,
} from './clients.js';

const DEFAULT_TTL_SECONDS = 2_592_000;

let relay: RelayProcess;
let room: CreatedRoom;
const peers: Peer[] = [];

beforeAll(async () => {
  relay = await startRelay();
  room = await createRoom(relay.url, { name: 'api room' });
});

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

function expectError(response: JsonResponse, status: number, code?: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toContain('application/json');
  const body = response.body as { error?: { code?: unknown; message?: unknown } };
  expect(body.error, response.text).toBeDefined();
  expect(isErrorCode(body.error!.code), `known error code: ${String(body.error!.code)}`).toBe(true);
  if (code) expect(body.error!.code).toBe(code);
  expect(typeof body.error!.message).toBe('string');
  expect((body.error!.message as string).length).toBeGreaterThan(0);
}

function post(path: string, body: unknown, token?: string): Promise<JsonResponse> {
  return request(`${relay.url}${path}`, { method: 'POST', body, token });
}

const nowSeconds = () => Date.now() / 1000;

describe('POST /api/rooms', () => {
  it('creates a room: 201 with an owner token and edit/view links carrying role tokens', async () => {
    const response = await post('/api/rooms', { name: 'My room' });
    expect(response.status).toBe(201);
    const created = response.body as CreatedRoom;
    expect(typeof created.roomId).toBe('string');
    expect(created.roomId.length).toBeGreaterThan(0);

    const owner = claimsOf(created.token);
    expect(owner).toMatchObject({ room: created.roomId, role: 'owner' });
    expect(owner.exp).toBeGreaterThan(nowSeconds() + DEFAULT_TTL_SECONDS - 600);
    expect(owner.exp).toBeLessThan(nowSeconds() + DEFAULT_TTL_SECONDS + 600);

    const edit = tokenFromLink(created.links.edit);
    const view = tokenFromLink(created.links.view);
    expect(claimsOf(edit)).toMatchObject({ room: created.roomId, role: 'editor' });
    expect(claimsOf(view)).toMatchObject({ room: created.roomId, role: 'viewer' });
    for (const link of [created.links.edit, created.links.view]) {
      expect(() => new URL(link)).not.toThrow();
      expect(link).toContain(created.roomId);
    }
    // the link tokens really work, with their roles
    for (const token of [created.token, edit, view]) {
      expect((await request(`${relay.url}/api/rooms/${created.roomId}/files`, { token })).status).toBe(200);
    }
    const welcome = await (async () => {
      const raw = await RawClient.connect(yjsUrl(relay.wsUrl, created.roomId, view));
      try {
        return await raw.hello();
      } finally {
        raw.close();
      }
    })();
    expect(welcome.role).toBe('viewer');

    // the name lands in the document's display meta
    const peer = await connectSynced(relay.wsUrl, created.roomId, created.token);
    peers.push(peer);
    expect(metaOf(peer.doc).get('name')).toBe('My room');
  });

  it('an empty body makes an empty room', async () => {
    const response = await request(`${relay.url}/api/rooms`, { method: 'POST' });
    expect(response.status).toBe(201);
    const created = response.body as CreatedRoom;
    expect(await getFiles(relay.url, created.roomId, created.token)).toEqual([]);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    'template %s seeds exactly its files',
    async (_id, template) => {
      const created = await createRoom(relay.url, { template: template.id });
      const files = await getFiles(relay.url, created.roomId, created.token);
      expect(files.map((f) => f.path).sort()).toEqual(Object.keys(template.files).sort());
      for (const [path, content] of Object.entries(template.files)) {
        const response = await request(`${relay.url}/api/rooms/${created.roomId}/files/${path}`, {
          token: created.token,
        });
        expect(response.status).toBe(200);
        expect(response.contentType).toContain('text/plain');
        expect(response.text).toBe(content);
        expect(files.find((f) => f.path === path)!.size).toBe(Buffer.byteLength(content));
      }
    },
  );

  it('the python template has main.py saying Hello', async () => {
    const created = await createRoom(relay.url, { template: 'python' });
    const response = await request(`${relay.url}/api/rooms/${created.roomId}/files/main.py`, {
      token: created.token,
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain('Hello');
  });

  it.each([
    ['an unknown template', JSON.stringify({ template: 'cobol' })],
    ['a template that is not a string', JSON.stringify({ template: 7 })],
    ['a name that is not a string', JSON.stringify({ name: { evil: true } })],
    ['a body that is not JSON', '{"name": '],
    ['a JSON array body', '[]'],
  ])('%s is 400 bad_request', async (_label, rawBody) => {
    expectError(
      await request(`${relay.url}/api/rooms`, { method: 'POST', rawBody }),
      400,
      ErrorCode.BadRequest,
    );
  });

  it.each([
    ['not JSON', '{"name": ', 'body is not valid JSON'],
    ['not an object', '["Maths"]', 'body must be a JSON object'],
    [
      'a name too long',
      JSON.stringify({ name: 'x'.repeat(101) }),
      '"name" must be a non-empty string of at most 100 characters',
    ],
    [
      'an empty name',
      JSON.stringify({ name: '  ' }),
      '"name" must be a non-empty string of at most 100 characters',
    ],
    ['an unknown kind', JSON.stringify({ kind: 'lecture' }), 'kind must be "pair" or "interview"'],
  ])(
    'a body that is %s is 400 bad_request with a sentence, and no room is made',
    async (_what, rawBody, message) => {
      const rooms = (await health(relay.url)).body.rooms;
      const response = await request(`${relay.url}/api/rooms`, { method: 'POST', rawBody });
      expectError(response, 400, ErrorCode.BadRequest);
      expect((response.body as { error: { message: string } }).error.message).toBe(message);
      expect((await health(relay.url)).body.rooms).toBe(rooms);
    },
  );

  it('a body not declared as JSON is 415, never read as empty', async () => {
    const response = await fetch(`${relay.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'Maths' }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/json/,
    );
  });

  it('trims names and ignores unknown keys', async () => {
    const created = await request(`${relay.url}/api/rooms`, {
      method: 'POST',
      body: { name: '  Maths  ', extra: { deep: true } },
    });
    expect(created.status).toBe(201);
    const room = created.body as CreatedRoom;
    const info = await request(`${relay.url}/api/rooms/${room.roomId}`, { token: room.token });
    expect((info.body as { settings: { name: string } }).settings.name).toBe('Maths');
  });

  it('a huge body is 413 payload_too_large', async () => {
    const rawBody = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
    expectError(
      await request(`${relay.url}/api/rooms`, { method: 'POST', rawBody }),
      413,
      ErrorCode.PayloadTooLarge,
    );
  });
});

describe('POST /api/rooms/:roomId/tokens', () => {
  it('the owner mints editor and viewer tokens with a name and a ttl', async () => {
    const editor = await post(
      `/api/rooms/${room.roomId}/tokens`,
      { role: 'editor', name: 'Eve' },
      room.token,
    );
    expect(editor.status).toBe(201);
    const editorClaims = claimsOf((editor.body as { token: string }).token);
    expect(editorClaims).toMatchObject({ room: room.roomId, role: 'editor', name: 'Eve' });
    expect(editorClaims.uid).not.toBe(claimsOf(room.token).uid);

    const viewer = await post(
      `/api/rooms/${room.roomId}/tokens`,
      { role: 'viewer', name: 'Val', ttlSeconds: 120 },
      room.token,
    );
    expect(viewer.status).toBe(201);
    const viewerClaims = claimsOf((viewer.body as { token: string }).token);
    expect(viewerClaims).toMatchObject({ room: room.roomId, role: 'viewer', name: 'Val' });
    expect(viewerClaims.exp).toBeGreaterThan(nowSeconds() + 60);
    expect(viewerClaims.exp).toBeLessThanOrEqual(nowSeconds() + 121);
  });

  it('two minted tokens get different user ids', async () => {
    const a = await mintToken(relay.url, room.roomId, room.token, { role: 'editor' });
    const b = await mintToken(relay.url, room.roomId, room.token, { role: 'editor' });
    expect(claimsOf(a).uid).not.toBe(claimsOf(b).uid);
  });

  it('an editor or a viewer may not mint: 403 forbidden', async () => {
    const editor = await mintToken(relay.url, room.roomId, room.token, { role: 'editor' });
    const viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer' });
    for (const token of [editor, viewer, tokenFromLink(room.links.edit)]) {
      expectError(
        await post(`/api/rooms/${room.roomId}/tokens`, { role: 'editor' }, token),
        403,
        ErrorCode.Forbidden,
      );
    }
  });

  it('no token is 401 unauthorised; a garbage token is 401', async () => {
    expectError(
      await post(`/api/rooms/${room.roomId}/tokens`, { role: 'editor' }),
      401,
      ErrorCode.Unauthorised,
    );
    expectError(
      await post(`/api/rooms/${room.roomId}/tokens`, { role: 'editor' }, 'garbage'),
      401,
      ErrorCode.Unauthorised,
    );
  });

  it("another room's owner token is 403", async () => {
    const other = await createRoom(relay.url, {});
    expectError(
      await post(`/api/rooms/${room.roomId}/tokens`, { role: 'editor' }, other.token),
      403,
      ErrorCode.Forbidden,
    );
  });

  it.each([
    ['no role', {}],
    ['role owner', { role: 'owner' }],
    ['an unknown role', { role: 'admin' }],
    ['a name too long', { role: 'editor', name: 'n'.repeat(NAME_MAX_CHARS + 1) }],
    ['a name that is not a string', { role: 'editor', name: 42 }],
    ['ttlSeconds 0', { role: 'editor', ttlSeconds: 0 }],
    ['negative ttlSeconds', { role: 'editor', ttlSeconds: -5 }],
    ['fractional ttlSeconds', { role: 'editor', ttlSeconds: 1.5 }],
    ['ttlSeconds as a string', { role: 'editor', ttlSeconds: '60' }],
  ])('%s is 400 bad_request', async (_label, body) => {
    expectError(await post(`/api/rooms/${room.roomId}/tokens`, body, room.token), 400, ErrorCode.BadRequest);
  });
});

describe('POST /api/rooms/:roomId/join', () => {
  it.each([
    ['editor', () => tokenFromLink(room.links.edit)],
    ['viewer', () => tokenFromLink(room.links.view)],
  ])(
    'a %s link token is traded for a personal token with a fresh user id and the same role',
    async (role, token) => {
      const shared = token();
      const response = await post(`/api/rooms/${room.roomId}/join`, { name: 'Pat' }, shared);
      expect(response.status).toBe(201);
      const personal = claimsOf((response.body as { token: string }).token);
      expect(personal).toMatchObject({ room: room.roomId, role, name: 'Pat' });
      expect(personal.uid).not.toBe(claimsOf(shared).uid);
      const again = claimsOf(
        ((await post(`/api/rooms/${room.roomId}/join`, { name: 'Pat' }, shared)).body as { token: string })
          .token,
      );
      expect(again.uid).not.toBe(personal.uid);
    },
  );

  it('a personal token cannot mint more identities: only share links are traded', async () => {
    const personal = (
      (await post(`/api/rooms/${room.roomId}/join`, {}, tokenFromLink(room.links.edit))).body as {
        token: string;
      }
    ).token;
    expectError(
      await post(`/api/rooms/${room.roomId}/join`, { name: 'spare' }, personal),
      403,
      ErrorCode.Forbidden,
    );
    expect(claimsOf(personal).via).toBe(claimsOf(tokenFromLink(room.links.edit)).link);
    // The owner's token is traded for itself: the same person under another name.
    const owner = await post(`/api/rooms/${room.roomId}/join`, { name: 'Alice' }, room.token);
    expect(owner.status).toBe(201);
    const renamed = claimsOf((owner.body as { token: string }).token);
    expect(renamed).toMatchObject({ uid: claimsOf(room.token).uid, role: 'owner', name: 'Alice' });
  });

  it('join without a token is 401; with another room token 403', async () => {
    expectError(await post(`/api/rooms/${room.roomId}/join`, { name: 'x' }), 401, ErrorCode.Unauthorised);
    const other = await createRoom(relay.url, {});
    expectError(
      await post(`/api/rooms/${room.roomId}/join`, { name: 'x' }, other.token),
      403,
      ErrorCode.Forbidden,
    );
  });
});

describe('files API', () => {
  it('reflects live edits: paths, sizes in UTF-8 bytes, and text', async () => {
    const created = await createRoom(relay.url, {});
    const editor = await connectSynced(relay.wsUrl, created.roomId, created.token);
    peers.push(editor);
    const main = addFile(editor.doc, 'src/main.py', 'print("hi")\n');
    addFile(editor.doc, 'docs/ünïcode.md', 'héllo wörld ✓\n');
    const viewer = tokenFromLink(created.links.view);
    await waitFor(
      async () => (await getFiles(relay.url, created.roomId, viewer)).length === 2,
      'the files API to list both files',
    );
    const files = await getFiles(relay.url, created.roomId, viewer);
    expect(files.map((f) => f.path)).toEqual(['docs/ünïcode.md', 'src/main.py']);
    expect(files.find((f) => f.path === 'docs/ünïcode.md')!.size).toBe(Buffer.byteLength('héllo wörld ✓\n'));
    expect(files.find((f) => f.path === 'src/main.py')).toMatchObject({ id: main, size: 12 });

    const text = await request(`${relay.url}/api/rooms/${created.roomId}/files/src/main.py`, {
      token: viewer,
    });
    expect(text.status).toBe(200);
    expect(text.contentType).toContain('text/plain');
    expect(text.text).toBe('print("hi")\n');
    const unicode = await request(
      `${relay.url}/api/rooms/${created.roomId}/files/${encodeURIComponent('docs/ünïcode.md').replace('%2F', '/')}`,
      { token: viewer },
    );
    expect(unicode.text).toBe('héllo wörld ✓\n');

    appendTo(editor.doc, main, 'print("more")\n');
    await waitFor(
      async () =>
        (await request(`${relay.url}/api/rooms/${created.roomId}/files/src/main.py`, { token: viewer }))
          .text === 'print("hi")\nprint("more")\n',
      'the files API to show the appended line',
    );
  });

  it('a missing file is 404 with the error shape', async () => {
    expectError(
      await request(`${relay.url}/api/rooms/${room.roomId}/files/nope/missing.txt`, { token: room.token }),
      404,
    );
  });

  it('files without a token is 401, with a token of another room 403', async () => {
    expectError(await request(`${relay.url}/api/rooms/${room.roomId}/files`), 401, ErrorCode.Unauthorised);
    expectError(
      await request(`${relay.url}/api/rooms/${room.roomId}/files/main.py`),
      401,
      ErrorCode.Unauthorised,
    );
    const other = await createRoom(relay.url, {});
    expectError(await request(`${relay.url}/api/rooms/${room.roomId}/files`, { token: other.token }), 403);
  });
});

describe('GET /healthz', () => {
  it('reports ok, loaded rooms, open connections and memory', async () => {
    const before = await health(relay.url);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      ok: true,
      rooms: expect.any(Number),
      connections: expect.any(Number),
      rssBytes: expect.any(Number),
      heapUsedBytes: expect.any(Number),
    });
    expect(before.body.rssBytes).toBeGreaterThan(0);

    const created = await createRoom(relay.url, {});
    const sockets = await Promise.all(
      [1, 2, 3].map(() => RawClient.connect(yjsUrl(relay.wsUrl, created.roomId, created.token))),
    );
    await waitFor(
      async () => (await health(relay.url)).body.connections === before.body.connections + 3,
      'healthz to count three more connections',
    );
    expect((await health(relay.url)).body.rooms).toBeGreaterThanOrEqual(1);
    for (const socket of sockets) socket.close();
    await waitFor(
      async () => (await health(relay.url)).body.connections === before.body.connections,
      'healthz to count them gone',
    );
  });
});
