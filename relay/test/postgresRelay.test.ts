/**
 * A relay on PostgreSQL (DATABASE_URL) instead of SQLite, against a real
 * server: official y-websocket clients edit a room; an update whose
 * syncStatus was echoed survives kill -9; a second relay process on the same
 * database (and the same secrets) serves the room whole; a database restarted
 * while someone types means "not saved" and a retry, never a lost edit; the database URL's
 * password never reaches a log line (the harness checks every line on stop).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType } from '../../shared/protocol/table.js';
import { addFile } from '../../shared/schema/project.js';
import { requireOrSkip } from '../../scripts/requireTool.js';
import {
  RawClient,
  connectSynced,
  frameTandem,
  getFileText,
  isTandem,
  textOf,
  waitConverged,
  yjsUrl,
  type Peer,
} from './clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { BIG, typeThroughTrouble } from './notSaved.js';
import { postgresBin, startPostgres, type PostgresServer } from './postgres.js';

const skip = requireOrSkip('PostgreSQL', postgresBin() !== null);

describe.skipIf(skip)('a relay on PostgreSQL', () => {
  let server: PostgresServer;
  let databaseUrl: string;
  let relay: RelayProcess;
  const peers: Peer[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    const url = new URL(await server.database());
    // Trust authentication ignores it; the logs must not show it.
    url.password = 'TANDEM-CANARY-db-password';
    databaseUrl = url.href;
    relay = await startRelay({ env: { DATABASE_URL: databaseUrl } });
  });

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
    await server?.stop();
  });

  it('stores what two y-websocket clients type, and keeps an acknowledged update through kill -9', async () => {
    const room = await createRoom(relay.url, { name: 'on postgres' });
    const a = await connectSynced(relay.wsUrl, room.roomId, room.token);
    const b = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(a, b);
    addFile(a.doc, 'notes.md', 'typed by A\n');
    await waitConverged([a.doc, b.doc]);
    expect(textOf(b.doc, 'notes.md')).toBe('typed by A\n');

    const raw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await raw.helloAndSync();
    raw.change((doc) => addFile(doc, 'acked.txt', 'committed before the echo\n'));
    raw.send(frameTandem({ type: MessageType.SyncStatus, counter: 5 }));
    await raw.waitForFrame(isTandem(MessageType.SyncStatus), 'syncStatus echo');

    const { dataDir } = relay;
    await relay.kill9();
    // It was PostgreSQL that stored it: no SQLite file, and the rows are there.
    expect(existsSync(join(dataDir, 'tandem.sqlite'))).toBe(false);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM updates WHERE room_id = $1', [
        room.roomId,
      ]);
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await db.end();
    }
    // Another relay process on the same database and secrets: the room is whole.
    relay = await startRelay({ dataDir, env: { DATABASE_URL: databaseUrl } });
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(fresh);
    expect(textOf(fresh.doc, 'notes.md')).toBe('typed by A\n');
    expect(textOf(fresh.doc, 'acked.txt')).toBe('committed before the echo\n');
    expect(await getFileText(relay.url, room.roomId, room.token, 'acked.txt')).toBe(
      'committed before the echo\n',
    );
  });

  it('PostgreSQL restarted while someone types: "not saved" (the database is away), nothing acknowledged or sent on meanwhile, all of it stored once it is back', async () => {
    const room = await typeThroughTrouble(relay, peers, {
      begin: () => server.halt(),
      end: () => server.start(),
      reason: /database cannot be reached/,
    });

    // Stored, not only relayed: a relay killed now and started again has all of it.
    const { dataDir } = relay;
    await relay.kill9();
    relay = await startRelay({ dataDir, env: { DATABASE_URL: databaseUrl } });
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(fresh);
    expect(textOf(fresh.doc, 'before.txt')).toBe('acknowledged\n');
    expect(textOf(fresh.doc, 'during.txt')).toBe(BIG);
  });
});
