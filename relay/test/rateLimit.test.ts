/**
 * Creating rooms is rate-limited per client address: a burst of
 * TANDEM_ROOMS_PER_MINUTE, then 429 rate_limited with Retry-After. Forks count
 * (they create rooms); reading and editing do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { attemptUpgrade, RawClient, request, yjsUrl } from './clients.js';

const PER_MINUTE = 3;
let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay({ env: { TANDEM_ROOMS_PER_MINUTE: String(PER_MINUTE) } });
});

afterAll(async () => {
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

async function post(path: string, token?: string) {
  const response = await fetch(`${relay.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: '{}',
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  };
}

describe('room creation rate limit', () => {
  it('allows a burst, then refuses new rooms and forks with 429 and Retry-After; reads go on', async () => {
    const first = await post('/api/rooms');
    expect(first.status).toBe(201);
    const { roomId, token } = first.body as { roomId: string; token: string };
    for (let i = 1; i < PER_MINUTE; i++) expect((await post('/api/rooms')).status).toBe(201);

    const refused = await post('/api/rooms');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: ErrorCode.RateLimited } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60 / PER_MINUTE);

    const fork = await post(`/api/rooms/${roomId}/fork`, token);
    expect(fork.status).toBe(429);
    const files = await request(`${relay.url}/api/rooms/${roomId}/files`, { token });
    expect(files.status).toBe(200);
    const tokens = await post(`/api/rooms/${roomId}/tokens`, token);
    expect(tokens.status).not.toBe(429);
  });
});

describe('room socket rate limit', () => {
  it('lets an address open a burst of sockets, then refuses the next before the upgrade; the open ones go on', async () => {
    const JOINS = 4;
    const limited = await startRelay({ env: { TANDEM_JOINS_PER_MINUTE: String(JOINS) } });
    const clients: RawClient[] = [];
    try {
      const room = await createRoom(limited.url, { template: 'python' });
      const url = yjsUrl(limited.wsUrl, room.roomId, room.token);
      for (let i = 0; i < JOINS; i++) clients.push(await RawClient.connect(url));
      const refused = await attemptUpgrade(url);
      expect(refused.opened).toBe(false);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({
        error: {
          code: ErrorCode.RateLimited,
          message: expect.stringMatching(
            /^too many room sockets: at most 4 a minute from one address; try again in \d+ s$/,
          ),
        },
      });
      // Refused before the token was read: a bad token is refused the same way.
      expect((await attemptUpgrade(yjsUrl(limited.wsUrl, room.roomId, 'x'))).status).toBe(429);
      for (const client of clients) {
        await client.hello();
        expect(client.isOpen).toBe(true);
      }
    } finally {
      for (const client of clients) client.close();
      await limited.stop();
      removeDataDir(limited.dataDir);
    }
  });
});
