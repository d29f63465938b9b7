/** The ICE endpoint of a real relay configured with coturn's shared secret. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './clients.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';

const SECRET = 'turn-shared-secret-for-tests';
const TTL_SECONDS = 120;

describe('GET /api/rooms/:roomId/ice', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({
      env: {
        TANDEM_ICE_URLS: 'stun:127.0.0.1:3478,turn:127.0.0.1:3478',
        TANDEM_TURN_SECRET: SECRET,
        TANDEM_TURN_TTL_SECONDS: String(TTL_SECONDS),
        TANDEM_ICE_RELAY_ONLY: 'true',
      },
    });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('hands a viewer short-lived TURN credentials for its own user id, never the secret', async () => {
    const room = await createRoom(relay.url);
    const viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer' });
    const before = Math.floor(Date.now() / 1000);
    const response = await request(`${relay.url}/api/rooms/${room.roomId}/ice`, { token: viewer });
    expect(response.status).toBe(200);
    const body = response.body as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
      iceTransportPolicy: string;
      expiresAt: number;
    };
    expect(body.iceTransportPolicy).toBe('relay');
    expect(body.iceServers[0]).toEqual({ urls: ['stun:127.0.0.1:3478'] });
    const turn = body.iceServers[1]!;
    const userId = JSON.parse(Buffer.from(viewer.split('.')[0]!, 'base64url').toString()).uid as string;
    expect(turn.username).toBe(`${body.expiresAt}:${userId}`);
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + TTL_SECONDS);
    expect(body.expiresAt).toBeLessThanOrEqual(before + TTL_SECONDS + 5);
    expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username!).digest('base64'));
    expect(JSON.stringify(response.body)).not.toContain(SECRET);
    expect(relay.output.join('\n')).not.toContain(SECRET);
  });

  it('refuses without a token of the room', async () => {
    const room = await createRoom(relay.url);
    const elsewhere = await createRoom(relay.url);
    expect((await request(`${relay.url}/api/rooms/${room.roomId}/ice`)).status).toBe(401);
    expect(
      (await request(`${relay.url}/api/rooms/${room.roomId}/ice`, { token: elsewhere.token })).status,
    ).toBe(403);
  });
});
