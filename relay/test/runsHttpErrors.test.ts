/**
 * Every error of the runs and environment routes is JSON `{ error: { code,
 * message } }` with its status, like the rest of the API (no runner needed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_VARS_PER_ROOM_MAX } from '../../shared/protocol/api.js';
import { request } from './clients.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';

describe('runs and env routes answer errors as JSON', () => {
  let relay: RelayProcess;
  let roomId: string;
  let owner: string;
  let viewer: string;
  const api = (method: string, path: string, token: string, body?: unknown) =>
    request(`${relay.url}/api/rooms/${roomId}${path}`, {
      method,
      token,
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    relay = await startRelay();
    ({ roomId, token: owner } = await createRoom(relay.url, { template: 'python' }));
    viewer = await mintToken(relay.url, roomId, owner, { role: 'viewer' });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it.each([
    ['PUT', '/env/1BAD', 'owner', { value: 'x' }, 400, 'bad_request'],
    ['PUT', '/env/GOOD', 'owner', { value: 7 }, 400, 'bad_request'],
    ['PUT', '/env/GOOD', 'owner', { value: 'x'.repeat(32 * 1024 + 1) }, 400, 'bad_request'],
    ['PUT', '/env/GOOD', 'viewer', { value: 'x' }, 403, 'read_only'],
    ['DELETE', '/env/NEVER_SET', 'owner', undefined, 404, 'not_found'],
    ['DELETE', '/env/GOOD', 'viewer', undefined, 403, 'read_only'],
    ['POST', '/runs', 'owner', { language: 'cobol' }, 400, 'bad_request'],
    ['POST', '/runs', 'viewer', { language: 'python' }, 403, 'read_only'],
    ['POST', '/runs', 'owner', { language: 'python', stdin: 5 }, 400, 'bad_request'],
  ] as const)('%s %s as %s -> %i %s', async (method, path, who, body, status, code) => {
    const response = await api(method, path, who === 'owner' ? owner : viewer, body);
    expect(response.status).toBe(status);
    expect(response.contentType).toContain('application/json');
    expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it(`refuses variable number ${ENV_VARS_PER_ROOM_MAX + 1} with a sentence, and replacing one still works`, async () => {
    for (let i = 0; i < ENV_VARS_PER_ROOM_MAX; i++) {
      expect((await api('PUT', `/env/V${i}`, owner, { value: String(i) })).status).toBe(204);
    }
    const over = await api('PUT', '/env/ONE_TOO_MANY', owner, { value: 'x' });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({
      error: { code: 'bad_request', message: expect.stringMatching(/at most 100/) },
    });
    expect((await api('PUT', '/env/V7', owner, { value: 'replaced' })).status).toBe(204);
    const names = (await api('GET', '/env', viewer)).body as { names: string[] };
    expect(names.names).toHaveLength(ENV_VARS_PER_ROOM_MAX);
  });
});
