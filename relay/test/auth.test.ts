/**
 * Tokens guard every room. A join with a missing, malformed, tampered, expired or
 * other room's token is refused with an HTTP status before the upgrade, so not
 * one document byte reaches it; a token that expires mid-connection closes the
 * socket with 4401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  attemptUpgrade,
  claimsOf,
  corruptSignature,
  frameSyncStep1,
  RawClient,
  request,
  tamperToken,
  waitFor,
  yjsUrl,
} from './clients.js';

let relay: RelayProcess;
let roomA: CreatedRoom;
let roomB: CreatedRoom;
let viewerA: string;
let expiredA: string;

beforeAll(async () => {
  // A short ping interval gives a relay that checks expiry on its ping tick a
  // chance inside the test's timeout too.
  relay = await startRelay({ env: { TANDEM_PING_INTERVAL_MS: '1000' } });
  roomA = await createRoom(relay.url, { name: 'A', template: 'python' });
  roomB = await createRoom(relay.url, { name: 'B' });
  viewerA = await mintToken(relay.url, roomA.roomId, roomA.token, { role: 'viewer', name: 'V' });
  expiredA = await mintToken(relay.url, roomA.roomId, roomA.token, {
    role: 'editor',
    name: 'E',
    ttlSeconds: 1,
  });
  const { exp } = claimsOf(expiredA);
  await waitFor(() => Date.now() / 1000 > exp + 1, 'the short token to expire', 5_000);
});

afterAll(async () => {
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

interface RefusalCase {
  name: string;
  url: () => string;
  status: number;
  code: string;
}

const refusals: RefusalCase[] = [
  {
    name: 'no token',
    url: () => yjsUrl(relay.wsUrl, roomA.roomId),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'empty token',
    url: () => yjsUrl(relay.wsUrl, roomA.roomId, ''),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'garbage token',
    url: () => yjsUrl(relay.wsUrl, roomA.roomId, 'not-a-token'),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'viewer token tampered to owner (old signature)',
    url: () =>
      yjsUrl(
        relay.wsUrl,
        roomA.roomId,
        tamperToken(viewerA, (c) => {
          c.role = 'owner';
        }),
      ),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'room B token tampered to room A (old signature)',
    url: () =>
      yjsUrl(
        relay.wsUrl,
        roomA.roomId,
        tamperToken(roomB.token, (c) => {
          c.room = roomA.roomId;
        }),
      ),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'name tampered (old signature)',
    url: () =>
      yjsUrl(
        relay.wsUrl,
        roomA.roomId,
        tamperToken(viewerA, (c) => {
          c.name = 'Someone Else';
        }),
      ),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'expiry extended (old signature)',
    url: () =>
      yjsUrl(
        relay.wsUrl,
        roomA.roomId,
        tamperToken(expiredA, (c) => {
          c.exp = Math.floor(Date.now() / 1000) + 3600;
        }),
      ),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'corrupted signature',
    url: () => yjsUrl(relay.wsUrl, roomA.roomId, corruptSignature(roomA.token)),
    status: 401,
    code: ErrorCode.Unauthorised,
  },
  {
    name: 'expired token',
    url: () => yjsUrl(relay.wsUrl, roomA.roomId, expiredA),
    status: 401,
    code: ErrorCode.TokenExpired,
  },
  {
    name: "another room's valid token",
    url: () => yjsUrl(relay.wsUrl, roomA.roomId, roomB.token),
    status: 403,
    code: ErrorCode.Forbidden,
  },
];

describe('WebSocket joins are authorised before the upgrade', () => {
  it('a valid token is accepted and gets the document (control)', async () => {
    const raw = await RawClient.connect(yjsUrl(relay.wsUrl, roomA.roomId, viewerA));
    raw.send(frameSyncStep1());
    await raw.until(() => Object.keys(raw.doc.getMap('files').toJSON()).length > 0, 'the seeded files');
    raw.close();
  });

  it.each(refusals)('$name: refused with $status before any byte', async ({ url, status, code }) => {
    const attempt = await attemptUpgrade(url());
    expect(attempt.opened, 'the socket must never open').toBe(false);
    expect(attempt.messages, 'no message may arrive').toBe(0);
    expect(attempt.status).toBe(status);
    expect(attempt.body).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it('a token that expires during the connection closes it with 4401 and a reason', async () => {
    const token = await mintToken(relay.url, roomA.roomId, roomA.token, {
      role: 'editor',
      name: 'short',
      ttlSeconds: 2,
    });
    const raw = await RawClient.connect(yjsUrl(relay.wsUrl, roomA.roomId, token));
    const close = await raw.waitClosed(10_000);
    expect(close.code).toBe(CloseCode.TokenExpired);
    expect(close.reason).toContain(CloseReason[CloseCode.TokenExpired]);
  });
});

describe('HTTP API with bad tokens', () => {
  it('an expired token gets 401 token_expired on the files API', async () => {
    const response = await request(`${relay.url}/api/rooms/${roomA.roomId}/files`, { token: expiredA });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({
      error: { code: ErrorCode.TokenExpired, message: expect.any(String) },
    });
  });

  it('a tampered token gets 401 on the files API', async () => {
    const token = tamperToken(viewerA, (c) => {
      c.role = 'owner';
    });
    const response = await request(`${relay.url}/api/rooms/${roomA.roomId}/files`, { token });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: ErrorCode.Unauthorised } });
  });

  it("another room's token gets 403 on the files API", async () => {
    const response = await request(`${relay.url}/api/rooms/${roomA.roomId}/files`, { token: roomB.token });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: ErrorCode.Forbidden } });
  });

  it('a tampered owner token cannot mint tokens', async () => {
    const token = tamperToken(viewerA, (c) => {
      c.role = 'owner';
    });
    const response = await request(`${relay.url}/api/rooms/${roomA.roomId}/tokens`, {
      method: 'POST',
      token,
      body: { role: 'editor' },
    });
    expect(response.status).toBe(401);
  });
});
