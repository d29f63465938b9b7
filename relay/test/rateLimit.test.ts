/**
 * Creating rooms is rate-limited per client address: a burst of
 * TANDEM_ROOMS_PER_MINUTE, then 429 rate_limited with Retry-After. Forks count
 * (they create rooms); reading and editing do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { request } from './clients.js';

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
