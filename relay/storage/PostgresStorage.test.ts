/**
 * PostgresStorage against a real PostgreSQL server (relay/test/postgres.ts):
 * the storage contract every backend passes, then what only a shared database
 * has to get right: two relays (two pools) appending to one room keep one
 * order by seq with no gap or duplicate, a reader paging the log while they
 * write never skips an entry that commits later, relays opening a fresh
 * database together apply the schema once, and a newer schema is refused.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../scripts/requireTool.js';
import { postgresBin, startPostgres, type PostgresServer } from '../test/postgres.js';
import { defaultPolicy } from './policy.js';
import { PostgresStorage } from './PostgresStorage.js';
import { storageContract } from './storageContract.js';
import type { Storage, StoredUpdate } from './Storage.js';

const skip = requireOrSkip('PostgreSQL', postgresBin() !== null);

let server: PostgresServer | null = null;
async function postgres(): Promise<PostgresServer> {
  server ??= await startPostgres();
  return server;
}
afterAll(async () => {
  await server?.stop();
});

if (!skip) {
  storageContract('postgresql', async () => {
    const pgServer = await postgres();
    const url = await pgServer.database();
    const opened: Storage[] = [await PostgresStorage.open(url)];
    return {
      storage: opened[0]!,
      reopen: async () => {
        const storage = await PostgresStorage.open(url);
        opened.push(storage);
        return storage;
      },
      cleanup: async () => {
        for (const storage of opened) await storage.close();
        await pgServer.drop(url);
      },
    };
  });
}

const ROOM = {
  id: 'shared',
  name: 'Shared',
  ownerId: 'owner',
  createdAt: 1_700_000_000_000,
  template: null,
  policy: defaultPolicy(),
};
const update = (n: number, author: string) => ({ at: n, author, data: new Uint8Array([n & 0xff, n >> 8]) });

describe.skipIf(skip)('PostgresStorage shared by several relays', () => {
  let url: string;
  let a: PostgresStorage;
  let b: PostgresStorage;

  beforeAll(async () => {
    url = await (await postgres()).database();
    // Two relays starting at once on a fresh database: the schema is applied once.
    [a, b] = await Promise.all([PostgresStorage.open(url), PostgresStorage.open(url)]);
    await a.createRoom(ROOM, null);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.drop(url);
  });

  it('applied the schema once, and refuses a database from a newer relay', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM tandem_schema');
      expect(rows).toEqual([{ version: 1 }]);
      await client.query('UPDATE tandem_schema SET version = 99');
      await expect(PostgresStorage.open(url)).rejects.toThrow(/newer than this relay understands/);
      await client.query('UPDATE tandem_schema SET version = 1');
    } finally {
      await client.end();
    }
  });

  it('two relays appending to one room keep one order by seq, with no gap, duplicate or skipped entry', async () => {
    const ROUNDS = 150;
    const seen: StoredUpdate[] = [];
    let cursor = 0;
    let writing = true;
    // A reader pages the log while both write, as history does: it must never
    // pass an entry that commits after a higher seq it already read.
    const reader = (async () => {
      while (writing || seen.length < ROUNDS * 2 * 2) {
        const page = await b.readLog(ROOM.id, cursor, 50);
        seen.push(...page);
        cursor = page.at(-1)?.seq ?? cursor;
        if (page.length === 0 && !writing) break;
      }
    })();
    const write = async (storage: PostgresStorage, who: string) => {
      const seqs: number[] = [];
      for (let i = 0; i < ROUNDS; i++)
        seqs.push(...(await storage.appendUpdates(ROOM.id, [update(i, who), update(i, who)])));
      return seqs;
    };
    const [fromA, fromB] = await Promise.all([write(a, 'relay-a'), write(b, 'relay-b')]);
    writing = false;
    await reader;

    const log = await a.readLog(ROOM.id, 0, 10_000);
    expect(log).toHaveLength(ROUNDS * 4);
    const seqs = log.map((entry) => entry.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set([...fromA, ...fromB])).toEqual(new Set(seqs));
    // Each relay's own entries keep the order it wrote them in.
    for (const who of ['relay-a', 'relay-b']) {
      const mine = log.filter((entry) => entry.author === who).map((entry) => entry.at);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
    // The reader that paged during the writes saw every entry, each once.
    expect(seen.map((entry) => entry.seq)).toEqual(seqs);
  });

  it('compactions of one room from two relays take turns and both land', async () => {
    const last = (await a.readLog(ROOM.id, 0, 10_000)).at(-1)!.seq;
    await Promise.all([
      a.saveSnapshot(ROOM.id, last, new Uint8Array([1])),
      b.saveSnapshot(ROOM.id, last - 1, new Uint8Array([2])),
    ]);
    expect((await b.loadState(ROOM.id)).snapshotSeq).toBe(last);
    expect((await a.loadSnapshotAt(ROOM.id, last - 1))?.data).toEqual(new Uint8Array([2]));
  });
});
