/**
 * A full disk: a real relay whose data directory is a small tmpfs, filled to
 * the last byte while people type. The relay stops acknowledging, tells
 * everyone in the room "not saved", sends nobody a change it has not stored,
 * keeps serving, and saves by itself once space returns; what it
 * acknowledged before survives a restart, and so does what it could not
 * store (the editor's own client kept it and sends it again). A shutdown
 * while it waits for space does not hang. And the append journal, cut short
 * by a full disk mid-write, stays readable to its last whole record.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile } from '../../shared/schema/project.js';
import { requireOrSkip } from '../../scripts/requireTool.js';
import { AppendJournal, type JournalRecord } from '../storage/AppendJournal.js';
import { connectSynced, textOf, waitFor, type Peer } from './clients.js';
import { createRoom, startRelay, type RelayProcess } from './harness.js';
import { BIG, typeThroughTrouble } from './notSaved.js';

/** Mounts a tmpfs of `bytes` (root only); null where that is not possible. */
function mountSmallDisk(bytes: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tandem-full', dir], {
      stdio: 'ignore',
    });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['--lazy', dir]); // something still holds a file there
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `body` with the disk of `dir` full; frees it after, whatever happens. */
async function whileFull<T>(dir: string, body: (free: () => void) => Promise<T>): Promise<T> {
  const filler = fill(dir);
  const free = () => rmSync(filler, { force: true });
  try {
    return await body(free);
  } finally {
    free();
  }
}

/** Fills the file system of `dir` to its last byte with one file; returns that file. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  try {
    for (let chunk = 1 << 20; chunk >= 1;) {
      try {
        writeSync(fd, Buffer.alloc(chunk, 1));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        chunk >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

const probe = mountSmallDisk(1 << 20);
if (probe) unmount(probe);
const skip = requireOrSkip('root, to mount a small tmpfs', probe !== null);

describe.skipIf(skip)('a full disk', () => {
  let dir: string;
  let relay: RelayProcess;
  const peers: Peer[] = [];

  beforeAll(async () => {
    dir = mountSmallDisk(16 << 20)!;
    relay = await startRelay({ dataDir: dir });
  });

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    await relay?.stop();
    if (dir) unmount(dir);
  });

  it('stops acknowledging, says "not saved", sends nobody what it has not stored, and saves by itself when space returns', async () => {
    let filler = '';
    const room = await typeThroughTrouble(relay, peers, {
      begin: async () => {
        filler = fill(dir);
      },
      end: async () => rmSync(filler, { force: true }),
      reason: /disk is full/,
    });

    // All of it is stored: a restarted relay has both files.
    expect(await relay.stop()).toBe(0);
    relay = await startRelay({ dataDir: dir });
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(fresh);
    expect(textOf(fresh.doc, 'before.txt')).toBe('acknowledged\n');
    expect(textOf(fresh.doc, 'during.txt')).toBe(BIG);
  });

  it('a shutdown while waiting for space does not hang; the editor’s client keeps the change and stores it after', async () => {
    const room = await createRoom(relay.url, { name: 'full at shutdown' });
    const editor = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(editor);
    await whileFull(dir, async () => {
      const failures = relay.output.length;
      addFile(editor.doc, 'kept.txt', BIG);
      await waitFor(
        () => relay.output.slice(failures).some((line) => line.includes('room.store_full')),
        'the relay finds the disk full',
      );
      expect(await relay.stop()).toBe(0);
    });
    relay = await startRelay({ dataDir: dir, port: relay.port });
    // The provider reconnects by itself and sends what the relay never acknowledged.
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(fresh);
    await waitFor(() => textOf(fresh.doc, 'kept.txt') === BIG, 'kept.txt stored after the restart', 20_000);
  });

  it('the append journal, cut short by a full disk mid-write, keeps every whole record before and after', () => {
    const path = join(dir, 'journal-test.appendlog');
    const journal = new AppendJournal(path);
    const record = (seq: number, text: string): JournalRecord => ({
      seq,
      roomId: 'r',
      at: seq,
      author: 'u',
      data: new TextEncoder().encode(text),
    });
    try {
      journal.append([record(1, 'first')]);
      const filler = fill(dir);
      try {
        expect(() => journal.append([record(2, BIG.repeat(8))])).toThrow(/ENOSPC/);
      } finally {
        rmSync(filler);
      }
      journal.append([record(3, 'after the space returned')]);
    } finally {
      journal.close();
    }
    expect(AppendJournal.read(path).map((r) => r.seq)).toEqual([1, 3]);
    rmSync(path);
  });
});
