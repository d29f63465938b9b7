/**
 * Short share links in the SQLite backend: schema step 5 and the statements
 * behind `shortLink` and `findShortLink`. A code stands for a role in a room
 * at one link generation; the relay mints the token when someone opens it.
 */
import type Database from 'better-sqlite3';
import type { ShortLinkRecord } from './Storage.js';

export const SHORT_LINKS_MIGRATION = `
  CREATE TABLE short_links (
    code TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    generation INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (room_id, role, generation)
  ) STRICT;
`;

interface ShortLinkRow {
  code: string;
  room_id: string;
  role: string;
  generation: number;
  created_at: number;
}

export class SqliteShortLinks {
  private readonly insert: Database.Statement<[string, string, string, number, number]>;
  private readonly selectByRole: Database.Statement<[string, string, number], ShortLinkRow>;
  private readonly selectByCode: Database.Statement<[string], ShortLinkRow>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO short_links (code, room_id, role, generation, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (room_id, role, generation) DO NOTHING',
    );
    this.selectByRole = db.prepare(
      'SELECT * FROM short_links WHERE room_id = ? AND role = ? AND generation = ?',
    );
    this.selectByCode = db.prepare('SELECT * FROM short_links WHERE code = ?');
  }

  /** The code for this role and generation: the one stored already, else `code`, stored now. */
  ensure(link: ShortLinkRecord): string {
    this.insert.run(link.code, link.roomId, link.role, link.generation, link.createdAt);
    return this.selectByRole.get(link.roomId, link.role, link.generation)!.code;
  }

  find(code: string): ShortLinkRecord | null {
    const row = this.selectByCode.get(code);
    if (!row) return null;
    return {
      code: row.code,
      roomId: row.room_id,
      role: row.role,
      generation: row.generation,
      createdAt: row.created_at,
    };
  }
}
