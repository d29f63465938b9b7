/**
 * `npm run backup -- FILE`: a consistent copy of the relay's database while
 * the relay runs. `npm run restore -- FILE`: puts one back, with the relay
 * stopped. The data directory is TANDEM_DATA_DIR (default ./data).
 *
 * The relay acknowledges an update once it is in its append journal
 * (`tandem.sqlite.appendlog`), and moves the journal into SQLite a moment
 * later. So a backup first copies the journal, then takes SQLite's own online
 * backup (a snapshot, whatever the relay writes meanwhile), then opens the
 * copy the way the relay opens its database: the journal's records that the
 * snapshot lacks are replayed into it, those it has are skipped. Everything
 * acknowledged before the backup began is in it.
 *
 * Restore refuses while the database is in use (a relay holds it open), and
 * keeps the database it replaces beside it (`tandem.sqlite.before-restore-<time>`).
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteStorage } from '../relay/storage/SqliteStorage.js';

export const DATABASE_FILE = 'tandem.sqlite';
const JOURNAL_SUFFIX = '.appendlog';

/** Writes a consistent copy of the database in `dataDir` to `target`; returns the rooms it holds. */
export async function backupDatabase(dataDir: string, target: string): Promise<{ rooms: number }> {
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(target)) throw new Error(`${target} exists: choose a new file`);
  // The journal first: what it holds now is either still in it or already in the snapshot below.
  if (existsSync(source + JOURNAL_SUFFIX)) copyFileSync(source + JOURNAL_SUFFIX, target + JOURNAL_SUFFIX);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  // Opening replays the copied journal into the copy, then empties it.
  await (await SqliteStorage.open(target)).close();
  rmSync(target + JOURNAL_SUFFIX, { force: true });
  return { rooms: countRooms(target) };
}

/** Replaces the database in `dataDir` with the backup `file` (the relay must be stopped). */
export async function restoreDatabase(
  file: string,
  dataDir: string,
): Promise<{ rooms: number; kept: string | null }> {
  if (!existsSync(file)) throw new Error(`no backup at ${file}`);
  // Opening checks it is a database of ours (and migrates an older one).
  await (await SqliteStorage.open(file)).close();
  const rooms = countRooms(file);
  const target = join(dataDir, DATABASE_FILE);
  let kept: string | null = null;
  if (existsSync(target)) {
    assertNotInUse(target);
    kept = `${target}.before-restore-${Date.now()}`;
    // Opening it folds its WAL and journal in, so the kept copy is whole on its own.
    await (await SqliteStorage.open(target)).close();
    renameSync(target, kept);
  }
  for (const leftover of ['-wal', '-shm', JOURNAL_SUFFIX]) rmSync(target + leftover, { force: true });
  copyFileSync(file, target);
  return { rooms, kept };
}

function countRooms(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM rooms').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Throws when another process holds the database (a running relay). */
function assertNotInUse(path: string): void {
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    // A relay keeps a write transaction's lock only briefly, but its WAL stays open: an
    // exclusive locking mode cannot be had while another connection uses the file.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch {
    throw new Error(`${path} is in use: stop the relay before restoring`);
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, file] = process.argv.slice(2);
  const dataDir = resolve(process.env.TANDEM_DATA_DIR ?? 'data');
  if ((command !== 'backup' && command !== 'restore') || !file) {
    console.error('usage: npm run backup -- FILE   |   npm run restore -- FILE   (TANDEM_DATA_DIR: ./data)');
    process.exit(2);
  }
  try {
    if (command === 'backup') {
      const { rooms } = await backupDatabase(dataDir, resolve(file));
      console.log(`backed up ${rooms} room(s) from ${dataDir} to ${resolve(file)}`);
    } else {
      const { rooms, kept } = await restoreDatabase(resolve(file), dataDir);
      console.log(
        `restored ${rooms} room(s) into ${dataDir}${kept ? ` (the database it replaced: ${kept})` : ''}`,
      );
    }
  } catch (error) {
    console.error(`${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
