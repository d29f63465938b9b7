/**
 * Online backup and restore of a real relay's database: a backup taken while
 * twelve rooms are being typed into holds, for every room, everything the
 * relay had stored when the backup began and nothing that was never typed;
 * restore refuses while the relay holds the database, and a relay started on
 * the restored database serves every room whole.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { connectSynced, getFileText, request, waitFor, type Peer } from '../relay/test/clients.js';
import {
  createRoom,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from '../relay/test/harness.js';
import { addFile, findFile } from '../shared/schema/project.js';
import { restoreDatabase } from './backup.js';

const ROOMS = 12;
const TYPE_EVERY_MS = 15;

describe('backup and restore', () => {
  const dirs: string[] = [];
  const relays: RelayProcess[] = [];
  afterAll(async () => {
    for (const relay of relays) await relay.stop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up under load and restores every room whole', async () => {
    const relay = await startRelay();
    relays.push(relay);
    dirs.push(relay.dataDir);
    const rooms: { room: CreatedRoom; peer: Peer; text: Y.Text }[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const room = await createRoom(relay.url, { template: 'empty' });
      const peer = await connectSynced(relay.wsUrl, room.roomId, room.token);
      addFile(peer.doc, 'main.py', `# room ${i}\n`);
      const { text } = findFile(peer.doc, 'main.py')!;
      rooms.push({ room, peer, text });
    }
    // Everyone types, one character at a time at the end of their file.
    let typed = 0;
    const typing = setInterval(() => {
      for (const { text } of rooms) text.insert(text.length, String.fromCharCode(97 + (typed % 26)));
      typed++;
    }, TYPE_EVERY_MS);
    await waitFor(() => typed > 20, 'typing under way');

    // What each room has now; the history request settles the room, so all of it is stored.
    const stored: string[] = [];
    for (const { room } of rooms) {
      stored.push(await getFileText(relay.url, room.roomId, room.token, 'main.py'));
      expect(
        (await request(`${relay.url}/api/rooms/${room.roomId}/history`, { token: room.token })).status,
      ).toBe(200);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'tandem-backup-')), 'backup.sqlite');
    dirs.push(join(file, '..'));
    const backup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', 'backup', file], {
      env: { ...process.env, TANDEM_DATA_DIR: relay.dataDir },
      encoding: 'utf8',
    });
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toContain(`backed up ${ROOMS} room(s)`);
    await waitFor(() => typed > 60, 'typing after the backup');
    clearInterval(typing);
    const finals = rooms.map(({ text }) => text.toString());
    for (const [i, { room }] of rooms.entries()) {
      await waitFor(
        async () => (await getFileText(relay.url, room.roomId, room.token, 'main.py')) === finals[i],
        `room ${i} stored to the end`,
      );
    }

    // Not while the relay holds its database.
    await expect(restoreDatabase(file, relay.dataDir)).rejects.toThrow(/in use: stop the relay/);
    for (const { peer } of rooms) peer.provider.destroy();
    await relay.stop();

    // A copy of the data directory (its token secret too), with the backup restored into it.
    const restoredDir = mkdtempSync(join(tmpdir(), 'tandem-restored-'));
    dirs.push(restoredDir);
    cpSync(relay.dataDir, restoredDir, { recursive: true });
    const { rooms: count, kept } = await restoreDatabase(file, restoredDir);
    expect(count).toBe(ROOMS);
    expect(kept && existsSync(kept)).toBe(true);
    const again = await startRelay({ dataDir: restoredDir });
    relays.push(again);
    for (const [i, { room }] of rooms.entries()) {
      const text = await getFileText(again.url, room.roomId, room.token, 'main.py');
      // Everything stored before the backup began, and only what was typed.
      expect(text.startsWith(stored[i]!), `room ${i} lost what was stored before the backup`).toBe(true);
      expect(finals[i]!.startsWith(text), `room ${i} holds what was never typed`).toBe(true);
    }
    await again.stop();
    removeDataDir(again.dataDir);
  }, 120_000);
});
