/**
 * The relay's logs never hold a secret: a relay logging everything (debug)
 * goes through joins with the token in the query string, API calls with it as
 * a bearer, refused joins, an environment variable and a file whose contents
 * are canaries, a short link opened, and a run refused; not one line holds a
 * token, a query's token, a bearer secret or a canary (LOG_LEAKS). Every
 * other test's relay and runner logs get the same check when they stop
 * (harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile } from '../../shared/schema/project.js';
import { attemptUpgrade, connectSynced, request, waitFor, yjsUrl } from './clients.js';
import { createRoom, leakedLines, removeDataDir, startRelay, type RelayProcess } from './harness.js';

const ENV_CANARY = 'TANDEM-CANARY-env-4f1c2a';
const FILE_CANARY = 'TANDEM-CANARY-file-9b7e3d';

describe('secrets in the relay’s logs', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_LOG_LEVEL: 'debug' } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('a session of joins, edits, variables, links and refusals leaves none in any line', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const api = `${relay.url}/api/rooms/${room.roomId}`;
    const peer = await connectSynced(relay.wsUrl, room.roomId, room.token);
    addFile(peer.doc, 'secret.txt', `${FILE_CANARY}\n`);
    await waitFor(
      async () =>
        (await request(`${api}/files/secret.txt`, { token: room.token })).text === `${FILE_CANARY}\n`,
      'the file stored',
    );
    expect(
      (await request(`${api}/env/API_KEY`, { method: 'PUT', token: room.token, body: { value: ENV_CANARY } }))
        .status,
    ).toBe(204);
    expect((await request(`${api}/env`, { token: room.token })).status).toBe(200);
    const runs = await request(`${api}/runs`, {
      method: 'POST',
      token: room.token,
      body: { language: 'python', entry: 'main.py' },
    });
    expect(runs.status).toBeGreaterThanOrEqual(200);
    const { url: short } = (
      await request(`${api}/links`, { method: 'POST', token: room.token, body: { role: 'editor' } })
    ).body as { url: string };
    expect((await fetch(short, { redirect: 'manual' })).status).toBe(302);
    // Refusals log their reasons, never what was presented.
    const forged = `${room.token.slice(0, -4)}AAAA`;
    expect((await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, forged))).status).toBe(401);
    expect((await request(api, { token: forged })).status).toBe(401);
    peer.provider.destroy();
    await waitFor(() => relay.output.some((line) => line.includes('"ws.close"')), 'the close logged');

    // The relay said a lot, at debug level: the check below had something to read.
    expect(relay.output.filter((line) => line.includes('"level":"debug"')).length).toBeGreaterThan(5);
    expect(leakedLines(relay.output)).toEqual([]);
    // And the patterns do catch what they are for.
    expect(leakedLines([`{"url":"/yjs/r?token=${room.token}"}`, `{"value":"${ENV_CANARY}"}`])).toHaveLength(
      2,
    );
    expect(leakedLines([`{"auth":"Bearer ${room.token}"}`, `{"t":"${room.token}"}`])).toHaveLength(2);
  });
});
