/**
 * Limits counted on every relay sharing rooms (approximate: the counts are a
 * few seconds old at most). Three relay processes on one real Redis and one
 * real PostgreSQL, with at most 2 connections a room and 3 new rooms a
 * minute from one address: the third viewer is refused on whichever relay it
 * tries, a relay killed with kill -9 stops counting within seconds, and the
 * fourth room created in a minute is refused, wherever each was created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, attemptUpgrade, waitFor, yjsUrl } from './clients.js';
import { skipCluster, startCluster, type Cluster } from './cluster.js';
import { createRoom, mintToken, type CreatedRoom, type RelayProcess } from './harness.js';

const skip = skipCluster();
const MINUTE_MS = 60_000;

describe.skipIf(skip)('limits across relays', () => {
  let cluster: Cluster;
  let relays: RelayProcess[];
  const clients: RawClient[] = [];
  let full: CreatedRoom;
  /** The minute window the room above was created in (it counts against this address). */
  let fullWindow: number;

  beforeAll(async () => {
    cluster = await startCluster(3, { TANDEM_MAX_CONNECTIONS_PER_ROOM: '2', TANDEM_ROOMS_PER_MINUTE: '3' });
    relays = cluster.relays;
    fullWindow = Math.floor(Date.now() / MINUTE_MS);
    full = await createRoom(relays[0]!.url, { name: 'full' });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
  });

  it('the fourth room in a minute from one address is refused, wherever the three were created', async () => {
    // The count is per minute window: start well inside one.
    const left = MINUTE_MS - (Date.now() % MINUTE_MS);
    if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    const already = Math.floor(Date.now() / MINUTE_MS) === fullWindow ? 1 : 0;
    for (const relay of relays.slice(already)) await createRoom(relay.url, { name: 'counted' });
    const refused = await fetch(`${relays[0]!.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('a room full on two relays refuses the next viewer on a third; a killed relay stops counting', async () => {
    const room = full;
    const viewer = await mintToken(relays[0]!.url, room.roomId, room.token, { role: 'viewer', name: 'V' });
    for (const relay of relays.slice(0, 2)) {
      const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, viewer));
      clients.push(client);
      await client.hello();
    }
    await waitFor(
      async () => (await attemptUpgrade(yjsUrl(relays[2]!.wsUrl, room.roomId, viewer))).status === 429,
      'relay 3 refuses a third viewer',
    );

    await relays[1]!.kill9();
    await waitFor(
      async () => (await attemptUpgrade(yjsUrl(relays[2]!.wsUrl, room.roomId, viewer))).opened,
      'relay 3 lets a viewer in once the dead relay stops counting',
      20_000,
    );
  });
});
