import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendJournal } from './AppendJournal.js';
import { SqliteStorage } from './SqliteStorage.js';
import { storageContract } from './storageContract.js';
import type { Storage } from './Storage.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/appendAndHang.ts');
/** How many printed seqs to wait for before killing the writer. */
const KILL_AFTER_LINES = 300;
const CHILD_TIMEOUT_MS = 15_000;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tandem-sqlite-'));
}

storageContract('sqlite', async () => {
  const dir = tempDir();
  const file = join(dir, 'tandem.sqlite');
  const opened: Storage[] = [await SqliteStorage.open(file)];
  return {
    storage: opened[0]!,
    reopen: async () => {
      const storage = await SqliteStorage.open(file);
      opened.push(storage);
      return storage;
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStorage', () => {
  const dirs: string[] = [];
  const open: SqliteStorage[] = [];

  async function fresh(
    file = join(tempDir(), 'tandem.sqlite'),
  ): Promise<{ storage: SqliteStorage; file: string }> {
    dirs.push(join(file, '..'));
    const storage = await SqliteStorage.open(file);
    open.push(storage);
    return { storage, file };
  }

  afterEach(async () => {
    for (const storage of open.splice(0)) await storage.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a missing data directory and opens in WAL mode with a schema version', async () => {
    const root = tempDir();
    dirs.push(root);
    const { file } = await fresh(join(root, 'nested', 'data', 'tandem.sqlite'));
    const peek = new Database(file, { readonly: true });
    try {
      expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(peek.pragma('user_version', { simple: true })).toBe(5);
    } finally {
      peek.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const { storage, file } = await fresh();
    await storage.close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStorage(file)).toThrow(/newer/);
    await expect(SqliteStorage.open(file)).rejects.toThrow(/newer/);
  });

  it('refuses a snapshot that claims seqs the room has not logged', async () => {
    const { storage } = await fresh();
    await storage.createRoom({ id: 'a', name: 'A', ownerId: 'o', createdAt: 0, template: null }, null);
    const [seq] = await storage.appendUpdates('a', [{ at: 0, author: 'o', data: new Uint8Array([1]) }]);
    await expect(storage.saveSnapshot('a', seq! + 1, new Uint8Array([9]))).rejects.toThrow(/past the last/);
    await expect(storage.saveSnapshot('missing', 0, new Uint8Array([9]))).rejects.toThrow(/not found/);
    expect((await storage.loadState('a')).snapshot).toBeNull();
  });

  it('checkpoints the WAL from its worker, never inside a commit, and keeps every row', async () => {
    const { storage, file } = await fresh();
    await storage.createRoom({ id: 'a', name: 'A', ownerId: 'o', createdAt: 0, template: null }, null);
    // Well past SQLite's automatic checkpoint (1,000 pages of 4 KiB): with it
    // on, some commit here would have copied the WAL into the file by itself.
    const big = new Uint8Array(64 * 1024).fill(3);
    for (let round = 0; round < 80; round++) {
      await storage.appendUpdates('a', [{ at: round, author: 'o', data: big }]);
      await storage.readLog('a', 0, 1); // moves the journal into SQLite now
    }
    const before = await storage.checkpoint();
    expect(before!.walFrames).toBeGreaterThan(1_000);
    expect(before!.checkpointed).toBe(before!.walFrames);
    // The worker's copy is in the database file: a reader of that file alone finds the rows.
    await storage.close();
    const peek = new Database(file, { readonly: true });
    try {
      expect(peek.prepare('SELECT count(*) AS n FROM updates').get()).toEqual({ n: 80 });
    } finally {
      peek.close();
    }
  });

  it('rejects calls after close', async () => {
    const { storage } = await fresh();
    await storage.close();
    await expect(storage.getRoom('a')).rejects.toThrow(/closed/);
  });

  it('never reuses a seq, even after the newest rows are gone', async () => {
    const { storage, file } = await fresh();
    await storage.createRoom({ id: 'a', name: 'A', ownerId: 'o', createdAt: 0, template: null }, null);
    const first = await storage.appendUpdates('a', [{ at: 0, author: 'o', data: new Uint8Array([1]) }]);
    await storage.close();
    const db = new Database(file);
    db.prepare('DELETE FROM updates').run();
    db.close();
    const again = await fresh(file);
    const second = await again.storage.appendUpdates('a', [
      { at: 0, author: 'o', data: new Uint8Array([2]) },
    ]);
    expect(second[0]).toBeGreaterThan(first[0]!);
  });

  it('replays a journal left behind once: records already in SQLite are not stored twice', async () => {
    const { storage, file } = await fresh();
    await storage.createRoom({ id: 'a', name: 'A', ownerId: 'o', createdAt: 0, template: null }, null);
    const [seq] = await storage.appendUpdates('a', [{ at: 5, author: 'o', data: new Uint8Array([7]) }]);
    await storage.close();
    // As if the process died after moving the journal into SQLite but before emptying it,
    // with one more record that never made it.
    const journal = new AppendJournal(`${file}.appendlog`);
    journal.append([
      { seq: seq!, roomId: 'a', at: 5, author: 'o', data: new Uint8Array([7]) },
      { seq: seq! + 1, roomId: 'a', at: 6, author: 'o', data: new Uint8Array([8]) },
    ]);
    journal.close();
    const again = await fresh(file);
    const log = await again.storage.readLog('a', 0, 10);
    expect(log.map((entry) => [entry.seq, [...entry.data]])).toEqual([
      [seq, [7]],
      [seq! + 1, [8]],
    ]);
    const [next] = await again.storage.appendUpdates('a', [
      { at: 7, author: 'o', data: new Uint8Array([9]) },
    ]);
    expect(next).toBe(seq! + 2);
  });

  it('loses no reported append when the writing process is killed with SIGKILL', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, 'tandem.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.once('exit', (_code, signal) => done(signal)),
    );
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const printed: number[] = [];
    try {
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`writer printed ${printed.length} seqs:\n${stderr.join('')}`)),
          CHILD_TIMEOUT_MS,
        );
        child.once('exit', () => {
          clearTimeout(timer);
          fail(new Error(`writer exited early:\n${stderr.join('')}`));
        });
        createInterface({ input: child.stdout }).on('line', (line) => {
          printed.push(Number(line));
          if (printed.length === KILL_AFTER_LINES) {
            clearTimeout(timer);
            child.kill('SIGKILL');
            done();
          }
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    const { storage } = await fresh(file);
    const stored = new Set<number>();
    for (let after = 0; ;) {
      const page = await storage.readLog('crash', after, 1_000);
      if (page.length === 0) break;
      for (const update of page) stored.add(update.seq);
      after = page[page.length - 1]!.seq;
    }
    expect(printed.length).toBeGreaterThanOrEqual(KILL_AFTER_LINES);
    expect(printed.filter((seq) => !stored.has(seq))).toEqual([]);
  });
});
