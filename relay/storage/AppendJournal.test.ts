import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32 } from '../../shared/bytes.js';
import { AppendJournal, type JournalRecord } from './AppendJournal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function journalPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-journal-'));
  dirs.push(dir);
  return join(dir, 'tandem.sqlite.appendlog');
}

const record = (seq: number, size = 5): JournalRecord => ({
  seq,
  roomId: `room-${seq % 3}`,
  at: 1_700_000_000_000 + seq,
  author: 'ünïcødé author',
  data: Uint8Array.from({ length: size }, (_, i) => (seq * 7 + i) & 0xff),
});

describe('AppendJournal', () => {
  it('computes the IEEE CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('reads back every record appended, in order, byte-exact', () => {
    const path = journalPath();
    const journal = new AppendJournal(path);
    const written = [record(1), record(2, 0), record(3, 70_000)];
    journal.append(written.slice(0, 2));
    journal.append(written.slice(2));
    journal.close();
    expect(AppendJournal.read(path)).toEqual(written);
  });

  it('ends at a record cut short or corrupted: it was never acknowledged', () => {
    const path = journalPath();
    const journal = new AppendJournal(path);
    journal.append([record(1), record(2), record(3)]);
    journal.close();
    const size = readFileSync(path).length;
    truncateSync(path, size - 2);
    expect(AppendJournal.read(path).map((r) => r.seq)).toEqual([1, 2]);
    const bytes = readFileSync(path);
    const secondPayload = 8 + bytes.readUInt32LE(0) + 8;
    bytes[secondPayload + 1] = bytes[secondPayload + 1]! ^ 0xff;
    writeFileSync(path, bytes);
    expect(AppendJournal.read(path).map((r) => r.seq)).toEqual([1]);
  });

  it('is empty after clear and keeps appending after it', () => {
    const path = journalPath();
    const journal = new AppendJournal(path);
    journal.append([record(1)]);
    journal.clear();
    journal.append([record(2)]);
    journal.close();
    expect(AppendJournal.read(path).map((r) => r.seq)).toEqual([2]);
    expect(AppendJournal.read(join(path, '..', 'missing'))).toEqual([]);
  });
});
