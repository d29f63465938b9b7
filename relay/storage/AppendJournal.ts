/**
 * The append journal in front of SQLite: an update is acknowledged once it is
 * one `write` into this file (in the operating system's page cache, so it
 * survives the process dying, as a WAL commit does), and SQLite gets it in
 * the background, many at a time. One write system call is about a tenth of
 * a SQLite commit (locks, three WAL pages), and it is on every keystroke's
 * way between arriving and being broadcast.
 *
 * File: records back to back, each
 *   u32 length | u32 crc32(payload) | payload
 *   payload = varUint(seq) varString(roomId) varUint(at) varString(author) varUint8Array(data)
 * A record cut short or failing its checksum ends the file (the write that
 * made it never returned, so nobody was told it was stored). The file is
 * emptied each time everything in it is in SQLite.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { StoredUpdate } from './Storage.js';
import { crc32 } from '../../shared/bytes.js';

export interface JournalRecord extends StoredUpdate {
  roomId: string;
}

const HEADER_BYTES = 8;

export class AppendJournal {
  private readonly fd: number;
  private bytes = 0;

  /** Opens (creating) the journal; call `read` first to recover what it holds. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Every intact record in the file at `path`, oldest first (none if it does not exist). */
  static read(path: string): JournalRecord[] {
    let file: Buffer;
    try {
      file = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: JournalRecord[] = [];
    for (let at = 0; at + HEADER_BYTES <= file.length;) {
      const length = file.readUInt32LE(at);
      const crc = file.readUInt32LE(at + 4);
      const start = at + HEADER_BYTES;
      if (start + length > file.length) break;
      const payload = file.subarray(start, start + length);
      if (crc32(payload) !== crc) break;
      records.push(decodePayload(payload));
      at = start + length;
    }
    return records;
  }

  /** Appends the records with one write; returns once the operating system has them. */
  append(records: readonly JournalRecord[]): void {
    const chunks = records.map(encodeRecord);
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    let written = 0;
    try {
      while (written < buffer.length) written += writeSync(this.fd, buffer, written);
    } catch (error) {
      // A write cut short (a full disk) leaves part of a record, and a reader
      // stops at the first bad record: cut it off, so later records count.
      if (written > 0) ftruncateSync(this.fd, this.bytes);
      throw error;
    }
    this.bytes += total;
  }

  /** Empties the file (everything in it is in SQLite now). */
  clear(): void {
    if (this.bytes === 0) return;
    ftruncateSync(this.fd);
    this.bytes = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function encodeRecord(record: JournalRecord): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, record.seq);
  encoding.writeVarString(encoder, record.roomId);
  encoding.writeVarUint(encoder, record.at);
  encoding.writeVarString(encoder, record.author);
  encoding.writeVarUint8Array(encoder, record.data);
  const payload = encoding.toUint8Array(encoder);
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, HEADER_BYTES);
  return out;
}

function decodePayload(payload: Uint8Array): JournalRecord {
  const decoder = decoding.createDecoder(payload);
  const seq = decoding.readVarUint(decoder);
  const roomId = decoding.readVarString(decoder);
  const at = decoding.readVarUint(decoder);
  const author = decoding.readVarString(decoder);
  const data = decoding.readVarUint8Array(decoder).slice();
  return { seq, roomId, at, author, data };
}
