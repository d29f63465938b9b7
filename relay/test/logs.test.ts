// The relay's log lines, read from a real relay process at debug level: request and
// connection ids on every line about them, and no token anywhere.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RawClient, yjsUrl } from './clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay({ env: { TANDEM_LOG_LEVEL: 'debug' } });
});

afterAll(async () => {
  await relay.stop();
  removeDataDir(relay.dataDir);
});

function lines(): Record<string, unknown>[] {
  return relay.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('relay logs', () => {
  it('name each request by its id, the caller’s when it sends one', async () => {
    const response = await fetch(`${relay.url}/healthz`, { headers: { 'x-request-id': 'trace-42' } });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    await vi.waitFor(() =>
      expect(lines()).toContainEqual(
        expect.objectContaining({ event: 'http.request', req: 'trace-42', url: '/healthz', status: 200 }),
      ),
    );
    const own = await fetch(`${relay.url}/healthz`);
    const id = own.headers.get('x-request-id');
    expect(id).toMatch(/^[\w-]{8,}$/);
    await vi.waitFor(() => expect(lines()).toContainEqual(expect.objectContaining({ req: id })));
  });

  it('carry the connection, room and user on every line of a socket, and never its token', async () => {
    const room = await createRoom(relay.url, {});
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await client.hello();
    client.send(Uint8Array.of(250, 1, 2)); // no such message type: closed with 4400
    expect((await client.waitClosed()).code).toBe(4400);
    await vi.waitFor(() =>
      expect(lines().filter((line) => line.room === room.roomId).length).toBeGreaterThan(1),
    );
    const opened = lines().find((line) => line.event === 'ws.open' && line.room === room.roomId);
    expect(opened).toMatchObject({ name: 'relay', level: 'debug', user: expect.any(String) });
    await vi.waitFor(() =>
      expect(lines()).toContainEqual(expect.objectContaining({ event: 'ws.close', conn: opened!.conn })),
    );
    expect(relay.output.join('\n')).not.toContain(room.token);
    expect(relay.output.join('\n')).not.toContain(room.token.split('.').at(-1));
  });
});
