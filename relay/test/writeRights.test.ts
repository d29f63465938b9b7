/**
 * Every way to change a room goes through the same edit right as document
 * updates (roomAccess.ts): environment variables, runs, restore. A classroom
 * student the owner has not let edit, and anyone in an ended room, is refused
 * on each of them. And the identities a share link hands out stay under the
 * owner's control: only a share link is traded for a personal token, and after
 * "new links" the spare tokens nobody used are dead too.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import {
  attemptUpgrade,
  claimsOf,
  connectSynced,
  RawClient,
  request,
  tokenFromLink,
  waitFor,
  yjsUrl,
  type JsonResponse,
} from './clients.js';
import { createRoom, type CreatedRoom } from './harness.js';
import { suiteRelay } from './suiteRelay.js';

const suite = suiteRelay();

const call = (method: string, path: string, token: string, body?: unknown): Promise<JsonResponse> =>
  request(`${suite.current.url}${path}`, { method, token, ...(body === undefined ? {} : { body }) });

async function join(room: CreatedRoom, link: string, name: string): Promise<string> {
  const response = await call('POST', `/api/rooms/${room.roomId}/join`, link, { name });
  expect(response.status).toBe(201);
  return (response.body as { token: string }).token;
}

function expectReadOnly(response: JsonResponse, action: RegExp): void {
  expect(response.status).toBe(403);
  expect((response.body as { error: { code: string; message: string } }).error).toMatchObject({
    code: ErrorCode.ReadOnly,
    message: expect.stringMatching(action),
  });
}

describe('the edit right on every write path', () => {
  it('a classroom student without the right sets no variable, runs nothing and restores nothing', async () => {
    const room = await createRoom(suite.current.url, { template: 'python' });
    const student = await join(room, tokenFromLink(room.links.edit), 'Student');
    const base = `/api/rooms/${room.roomId}`;
    expect((await call('PATCH', base, room.token, { mode: 'classroom' })).status).toBe(200);
    expect((await call('PUT', `${base}/env/SECRET`, room.token, { value: 'teacher only' })).status).toBe(204);

    const hostile = { value: '--import=data:text/javascript,console.log(process.env.SECRET)' };
    expectReadOnly(
      await call('PUT', `${base}/env/NODE_OPTIONS`, student, hostile),
      /classroom.*change its variables/,
    );
    expectReadOnly(await call('DELETE', `${base}/env/SECRET`, student), /change its variables/);
    expectReadOnly(
      await call('POST', `${base}/runs`, student, { language: 'python' }),
      /so you cannot run it/,
    );
    expectReadOnly(await call('POST', `${base}/restore`, student, { seq: 1 }), /so you cannot restore it/);
    // A write route nobody listed is closed to them as well.
    expectReadOnly(await call('POST', `${base}/anything-new`, student, {}), /so you cannot do this/);
    const names = (await call('GET', `${base}/env`, room.token)).body as { names: string[] };
    expect(names.names).toEqual(['SECRET']);

    // Granted, the same student may.
    const uid = claimsOf(student).uid;
    expect((await call('PUT', `${base}/editors/${uid}`, room.token)).status).toBe(200);
    expect((await call('PUT', `${base}/env/FLAG`, student, { value: '1' })).status).toBe(204);
  });

  it('an ended room takes no variable, run or restore, from the owner either', async () => {
    const room = await createRoom(suite.current.url, { template: 'python' });
    const base = `/api/rooms/${room.roomId}`;
    expect((await call('POST', `${base}/end`, room.token)).status).toBe(200);
    expectReadOnly(await call('PUT', `${base}/env/X`, room.token, { value: '1' }), /ended/);
    expectReadOnly(await call('POST', `${base}/runs`, room.token, { language: 'python' }), /ended/);
    expectReadOnly(await call('POST', `${base}/restore`, room.token, { seq: 1 }), /ended/);
    // Reading and forking still work.
    expect((await call('GET', `${base}/env`, room.token)).status).toBe(200);
    expect((await call('POST', `${base}/fork`, room.token, {})).status).toBe(201);
  });

  it('viewers are refused on write routes the same way', async () => {
    const room = await createRoom(suite.current.url, { template: 'python' });
    const viewer = tokenFromLink(room.links.view);
    expectReadOnly(await call('PUT', `/api/rooms/${room.roomId}/env/X`, viewer, { value: '1' }), /read-only/);
  });
});

describe('identities from a share link', () => {
  it('a personal token cannot be traded for more identities', async () => {
    const room = await createRoom(suite.current.url, {});
    const personal = await join(room, tokenFromLink(room.links.edit), 'Guest');
    const minted = (await call('POST', `/api/rooms/${room.roomId}/tokens`, room.token, { role: 'editor' }))
      .body as { token: string };
    for (const token of [personal, minted.token]) {
      const response = await call('POST', `/api/rooms/${room.roomId}/join`, token, { name: 'spare' });
      expect(response.status).toBe(403);
      expect(response.text).toMatch(/only a share link/);
    }
  });

  it('after a removal and new links, the removed guest’s unused spare tokens are dead; people already in stay', async () => {
    const room = await createRoom(suite.current.url, { template: 'python' });
    const link = tokenFromLink(room.links.edit);
    const guest = await join(room, link, 'Guest');
    const spares = [await join(room, link, 'Spare 1'), await join(room, link, 'Spare 2')];
    const friend = await join(room, link, 'Friend');
    const guestPeer = await connectSynced(suite.current.wsUrl, room.roomId, guest);
    const friendPeer = await connectSynced(suite.current.wsUrl, room.roomId, friend);

    const kicked = await call('POST', `/api/rooms/${room.roomId}/kick`, room.token, {
      userId: claimsOf(guest).uid,
      resetLinks: true,
    });
    expect(kicked.status).toBe(200);
    await waitFor(() => !guestPeer.provider.wsconnected, 'the guest to be closed');
    guestPeer.destroy();

    for (const spare of spares) {
      const upgrade = await attemptUpgrade(yjsUrl(suite.current.wsUrl, room.roomId, spare));
      expect(upgrade.status).toBe(403);
      expect(upgrade.body).toMatchObject({ error: { code: ErrorCode.LinkReplaced } });
      const api = await call('PUT', `/api/rooms/${room.roomId}/env/X`, spare, { value: '1' });
      expect(api.status).toBe(403);
    }
    expect((await call('POST', `/api/rooms/${room.roomId}/join`, link, { name: 'again' })).status).toBe(403);
    expect((await attemptUpgrade(yjsUrl(suite.current.wsUrl, room.roomId, guest))).status).toBe(403);

    // Someone who was in before the links changed keeps working, on a new socket too.
    expect(friendPeer.provider.wsconnected).toBe(true);
    friendPeer.destroy();
    const again = await RawClient.connect(yjsUrl(suite.current.wsUrl, room.roomId, friend));
    expect(again.isOpen).toBe(true);
    again.close();
    expect((await call('PUT', `/api/rooms/${room.roomId}/env/Y`, friend, { value: '1' })).status).toBe(204);
  });
});

describe('sockets per address', () => {
  const capped = suiteRelay({ env: { TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '5' } });

  it('one address holds at most the cap, across rooms; a closed socket frees its seat', async () => {
    const a = await createRoom(capped.current.url, {});
    const b = await createRoom(capped.current.url, {});
    const open: RawClient[] = [];
    for (let i = 0; i < 5; i++) {
      const room = i % 2 === 0 ? a : b;
      open.push(await RawClient.connect(yjsUrl(capped.current.wsUrl, room.roomId, room.token)));
    }
    const refused = await attemptUpgrade(yjsUrl(capped.current.wsUrl, a.roomId, a.token));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: ErrorCode.RateLimited } });
    open[0]!.close();
    await open[0]!.waitClosed();
    await waitFor(async () => {
      try {
        open.push(await RawClient.connect(yjsUrl(capped.current.wsUrl, a.roomId, a.token)));
        return true;
      } catch {
        return false;
      }
    }, 'a seat to free up');
    for (const client of open) client.close();
  });
});
