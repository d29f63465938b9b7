/**
 * Pages of other sites: a real relay refuses their WebSocket upgrades and
 * state-changing API calls (Origin checked against the relay's own origin and
 * TANDEM_ALLOWED_ORIGINS), lets through clients that send no Origin (the
 * official y-websocket client in Node, the CLI), and answers CORS only for the
 * listed origins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptUpgrade, connectSynced, RawClient, yjsUrl } from './clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { originAllowed } from '../http/origins.js';

const LMS = 'https://lms.example.com';
const EVIL = 'https://evil.example.net';

describe('origin rule', () => {
  const own = { allowedOrigins: null, publicUrl: null };
  it('takes the host a request came to, the public URL and the listed origins, nothing else', () => {
    expect(originAllowed(undefined, 'localhost:8080', own)).toBe(true);
    expect(originAllowed('http://localhost:8080', 'localhost:8080', own)).toBe(true);
    expect(originAllowed('http://localhost:8080', 'LOCALHOST:8080', own)).toBe(true);
    expect(originAllowed('http://localhost:8081', 'localhost:8080', own)).toBe(false);
    expect(originAllowed('http://abc.localhost:8080', 'localhost:8080', own)).toBe(false);
    expect(originAllowed('null', 'localhost:8080', own)).toBe(false);
    expect(originAllowed('not a url', 'localhost:8080', own)).toBe(false);
    expect(originAllowed('http://localhost:8080', undefined, own)).toBe(false);
    const behindProxy = { allowedOrigins: [LMS], publicUrl: 'https://tandem.example.com' };
    expect(originAllowed('https://tandem.example.com', '10.0.0.5:8080', behindProxy)).toBe(true);
    expect(originAllowed(LMS, '10.0.0.5:8080', behindProxy)).toBe(true);
    expect(originAllowed(EVIL, '10.0.0.5:8080', behindProxy)).toBe(false);
  });
});

describe('a relay and pages of other sites', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_ALLOWED_ORIGINS: `${LMS}, https://other.example.org` } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  const post = (path: string, origin: string | undefined, body: unknown = {}) =>
    fetch(`${relay.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin && { origin }) },
      body: JSON.stringify(body),
    });

  it('refuses a room socket opened by another site’s page, before the upgrade', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const url = yjsUrl(relay.wsUrl, room.roomId, room.token);
    for (const origin of [EVIL, 'null']) {
      const attempt = await attemptUpgrade(url, { headers: { origin } });
      expect(attempt.opened).toBe(false);
      expect(attempt.messages).toBe(0);
      expect(attempt.status).toBe(403);
      expect(attempt.body).toEqual({
        error: {
          code: 'forbidden',
          message: `requests from ${origin} are not allowed here (TANDEM_ALLOWED_ORIGINS)`,
        },
      });
    }
    // The relay's own page, a listed site, and clients that send no Origin connect.
    for (const origin of [relay.url, LMS]) {
      const client = await RawClient.connect(url, { headers: { origin } });
      await client.hello();
      client.close();
    }
    const official = await connectSynced(relay.wsUrl, room.roomId, room.token);
    official.provider.destroy();
  });

  it('refuses another site’s state-changing calls, keeps reads open, and answers CORS for listed sites only', async () => {
    const refused = await post('/api/rooms', EVIL);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');

    expect((await post('/api/rooms', undefined)).status).toBe(201);
    expect((await post('/api/rooms', relay.url)).status).toBe(201);
    const listed = await post('/api/rooms', LMS);
    expect(listed.status).toBe(201);
    expect(listed.headers.get('access-control-allow-origin')).toBe(LMS);
    expect(listed.headers.get('vary')).toMatch(/Origin/);

    // Reads change nothing: the browser keeps another site from reading them (no CORS answer).
    const read = await fetch(`${relay.url}/api/templates`, { headers: { origin: EVIL } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = (origin: string) =>
      fetch(`${relay.url}/api/rooms`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const ok = await preflight(LMS);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(LMS);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const no = await preflight(EVIL);
    expect(no.status).toBe(403);
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});
