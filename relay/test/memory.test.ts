/**
 * What one client can make the relay hold: a request body is refused before it
 * is read, awareness states are capped each and per room, so a newcomer's first
 * frames stay small whatever others put there.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { AWARENESS_ROOM_MAX_BYTES, AWARENESS_STATE_MAX_BYTES } from '../sync/awareness.js';
import {
  awarenessUpdate,
  frameAwareness,
  health,
  isTandem,
  RawClient,
  readAwarenessEntries,
  yjsUrl,
  type Frame,
} from './clients.js';
import { createRoom, mintToken } from './harness.js';
import { suiteRelay } from './suiteRelay.js';
import { MessageType } from '../../shared/protocol/table.js';

const MIB = 1024 * 1024;

const suite = suiteRelay();

/**
 * POSTs up to `totalBytes` of body to /api/rooms, 64 KiB at a time, until the
 * relay answers or closes the connection; resolves with its status (0: closed
 * with no answer read) and how much had been sent by then.
 */
function postHuge(totalBytes: number, withLength: boolean): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${suite.current.url}/api/rooms`);
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (withLength) headers['content-length'] = totalBytes;
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers,
    });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      // The relay stopped reading and closed on a client that kept sending.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve({ status: 0, sent });
      else reject(error);
    });
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('request bodies', () => {
  it.each([
    ['with a Content-Length', true],
    ['chunked', false],
  ])(
    'an unauthenticated 200 MB body %s is refused with 413 long before it is all sent',
    async (_label, withLength) => {
      const before = (await health(suite.current.url)).body.rssBytes;
      const { status, sent } = await postHuge(200 * MIB, withLength);
      expect(status).toBe(413);
      expect(sent).toBeLessThan(32 * MIB);
      const after = (await health(suite.current.url)).body.rssBytes;
      expect(after - before).toBeLessThan(64 * MIB);
    },
  );
});

describe('awareness', () => {
  it('a state past the cap is refused with a reason and reaches nobody', async () => {
    const room = await createRoom(suite.current.url, {});
    const viewer = await mintToken(suite.current.url, room.roomId, room.token, { role: 'viewer' });
    const watcher = await RawClient.connect(yjsUrl(suite.current.wsUrl, room.roomId, room.token));
    const sender = await RawClient.connect(yjsUrl(suite.current.wsUrl, room.roomId, viewer));
    await sender.hello();
    sender.send(
      frameAwareness(awarenessUpdate([{ clientId: 501, clock: 1, state: { blob: 'x'.repeat(7 * MIB) } }])),
    );
    const error = await sender.waitForFrame(
      (f) => isTandem(MessageType.Error)(f) && f.message.code === ErrorCode.PayloadTooLarge,
      'payload_too_large for the awareness state',
    );
    expect((error as Extract<Frame, { kind: 'tandem' }>).message).toMatchObject({
      message: expect.stringMatching(/awareness refused: a state may be at most 8 KiB/),
    });
    // A small state after it is the fence: it arrives, the big one never did.
    sender.send(frameAwareness(awarenessUpdate([{ clientId: 502, clock: 1, state: { cursor: 1 } }])));
    await watcher.until(() => awarenessIds(watcher).has(502), 'the small state');
    expect(awarenessIds(watcher).has(501)).toBe(false);
    for (const client of [sender, watcher]) client.close();
  });

  it('many viewers with full states cannot grow a newcomer’s first frame past the room cap', async () => {
    const room = await createRoom(suite.current.url, {});
    const viewer = await mintToken(suite.current.url, room.roomId, room.token, { role: 'viewer' });
    const crowd: RawClient[] = [];
    let refused = 0;
    for (let c = 0; c < 12; c++) {
      const client = await RawClient.connect(yjsUrl(suite.current.wsUrl, room.roomId, viewer));
      await client.hello();
      const entries = Array.from({ length: 8 }, (_, i) => ({
        clientId: 10_000 + c * 8 + i,
        clock: 1,
        state: { blob: 'z'.repeat(AWARENESS_STATE_MAX_BYTES - 200) },
      }));
      const from = client.frames.length;
      client.send(frameAwareness(awarenessUpdate(entries)));
      client.send(Uint8Array.of(MessageType.QueryAwareness)); // a fence: answered after the update
      await client.waitForFrame((f) => f.kind === 'awareness', 'the answer to the query', { from });
      if (
        client.frames.some(
          (f) => isTandem(MessageType.Error)(f) && f.message.code === ErrorCode.PayloadTooLarge,
        )
      ) {
        refused++;
      }
      crowd.push(client);
    }
    expect(refused).toBeGreaterThan(0);
    const newcomer = await RawClient.connect(yjsUrl(suite.current.wsUrl, room.roomId, room.token));
    const first = await newcomer.waitForFrame((f) => f.kind === 'awareness', 'the newcomer’s awareness');
    expect(first.bytes.byteLength).toBeLessThanOrEqual(AWARENESS_ROOM_MAX_BYTES + 4096);
    for (const client of [...crowd, newcomer]) client.close();
  });
});

function awarenessIds(client: RawClient): Set<number> {
  const ids = new Set<number>();
  for (const frame of client.frames) {
    if (frame.kind !== 'awareness') continue;
    for (const [id, entry] of readAwarenessEntries(frame.update)) if (entry.state !== null) ids.add(id);
  }
  return ids;
}
