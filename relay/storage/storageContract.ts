/**
 * The suite every `Storage` backend must pass. A backend's test file calls
 * `storageContract(name, make)`; `make` gives a fresh, empty store, a way to
 * open the same store again (to prove durability) and a cleanup that releases
 * everything it made. Times in these tests are fixed numbers, never the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { defaultPolicy } from './policy.js';
import type { NewUpdate, RoomPolicy, RoomRecord, RunRecord, Storage } from './Storage.js';

export interface StorageFixture {
  storage: Storage;
  /** Opens the same store again; the contract closes `storage` first. */
  reopen: () => Promise<Storage>;
  cleanup: () => Promise<void>;
}

const BASE_AT_MS = 1_700_000_000_000;
const LARGE_BLOB_BYTES = 1024 * 1024;
const MANY_UPDATES = 5_000;
const MANY_BATCH = 250;

function room(id: string, template: string | null = null): RoomRecord {
  return {
    id,
    name: `Room ${id}`,
    ownerId: `owner-${id}`,
    createdAt: BASE_AT_MS,
    template,
    policy: defaultPolicy(),
  };
}

function update(n: number, author = 'alice'): NewUpdate {
  return { at: BASE_AT_MS + n, author, data: new Uint8Array([n & 0xff, (n >> 8) & 0xff, 0, 255, n % 7]) };
}

/** Deterministic bytes covering every value 0..255, so truncation or encoding bugs show. */
function patternBytes(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
  return data;
}

/** Element-wise `toEqual` on a 1 MiB array takes seconds; this takes microseconds. */
function expectSameBytes(actual: Uint8Array | null | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual!.byteLength).toBe(expected.byteLength);
  expect(actual!.findIndex((byte, i) => byte !== expected[i])).toBe(-1);
}

function run(roomId: string, runId: string, startedAt: number): RunRecord {
  return {
    roomId,
    runId,
    userId: 'alice',
    name: 'Alice',
    language: 'python',
    entry: 'main.py',
    startedAt,
    endedAt: startedAt + 120,
    exitCode: null,
    signal: 'SIGKILL',
    reason: 'timeout',
    durationMs: 120,
    message: 'time limit',
    output: patternBytes(300),
    outputTruncated: true,
  };
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

export function storageContract(name: string, make: () => Promise<StorageFixture>): void {
  describe(`Storage contract: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: Storage;

    beforeEach(async () => {
      fixture = await make();
      storage = fixture.storage;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    async function reopen(): Promise<Storage> {
      await storage.close();
      storage = await fixture.reopen();
      return storage;
    }

    it('creates a room and reads it back', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b', 'python'), null);
      expect(await storage.getRoom('a')).toEqual(room('a'));
      expect(await storage.getRoom('b')).toEqual(room('b', 'python'));
    });

    it('renames a room and replaces its policy, durably; other rooms untouched', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      const policy: RoomPolicy = {
        kind: 'interview',
        mode: 'classroom',
        editors: ['u1', 'u2'],
        endedAt: BASE_AT_MS + 5,
        driver: { userIds: ['u1', 'u2'], periodMs: 60_000, startedAt: BASE_AT_MS },
        historyForAll: true,
        chatMuted: true,
        followOwner: true,
        removed: ['u3'],
        linkGeneration: 2,
      };
      await storage.updateRoom('a', { name: 'Renamed', policy });
      await reopen();
      expect(await storage.getRoom('a')).toEqual({ ...room('a'), name: 'Renamed', policy });
      expect(await storage.getRoom('b')).toEqual(room('b'));
      await storage.updateRoom('a', { name: 'Again' });
      expect(await storage.getRoom('a')).toEqual({ ...room('a'), name: 'Again', policy });
      await expect(storage.updateRoom('missing', { name: 'x' })).rejects.toThrow();
    });

    it('records who joined, first arrival first, keeping the latest name and role', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      await storage.recordUser('a', { uid: 'u2', name: 'Bo', role: 'editor', at: BASE_AT_MS + 1 });
      await storage.recordUser('a', { uid: 'u1', name: 'Al', role: 'owner', at: BASE_AT_MS + 2 });
      await storage.recordUser('a', { uid: 'u2', name: 'Bob', role: 'viewer', at: BASE_AT_MS + 3 });
      await storage.recordUser('b', { uid: 'u9', name: 'Other', role: 'editor', at: BASE_AT_MS });
      expect(await storage.listUsers('a')).toEqual([
        { uid: 'u2', name: 'Bob', role: 'viewer', firstSeen: BASE_AT_MS + 1, lastSeen: BASE_AT_MS + 3 },
        { uid: 'u1', name: 'Al', role: 'owner', firstSeen: BASE_AT_MS + 2, lastSeen: BASE_AT_MS + 2 },
      ]);
      expect(await storage.listUsers('missing')).toEqual([]);
      await expect(
        storage.recordUser('missing', { uid: 'u', name: 'x', role: 'editor', at: BASE_AT_MS }),
      ).rejects.toThrow();
    });

    it('finds the newest snapshot at or before a seq, for history', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      const seqs = await storage.appendUpdates('a', [update(1), update(2), update(3), update(4)]);
      await storage.appendUpdates('b', [update(5)]);
      expect(await storage.loadSnapshotAt('a', seqs[3]!)).toBeNull();
      await storage.saveSnapshot('a', seqs[1]!, Uint8Array.of(2));
      await storage.saveSnapshot('a', seqs[3]!, Uint8Array.of(4));
      expect(await storage.loadSnapshotAt('a', seqs[0]!)).toBeNull();
      expect(await storage.loadSnapshotAt('a', seqs[1]!)).toEqual({ seq: seqs[1], data: Uint8Array.of(2) });
      expect(await storage.loadSnapshotAt('a', seqs[2]!)).toEqual({ seq: seqs[1], data: Uint8Array.of(2) });
      expect(await storage.loadSnapshotAt('a', seqs[3]! + 100)).toEqual({
        seq: seqs[3],
        data: Uint8Array.of(4),
      });
      expect(await storage.loadSnapshotAt('b', seqs[3]!)).toBeNull();
      expect(await storage.loadSnapshotAt('missing', 1)).toBeNull();
    });

    it('returns null for an unknown room and loads it as empty', async () => {
      expect(await storage.getRoom('missing')).toBeNull();
      expect(await storage.loadState('missing')).toEqual({ snapshot: null, snapshotSeq: 0, tail: [] });
      expect(await storage.readLog('missing', 0, 10)).toEqual([]);
    });

    it('stores the initial update with the room', async () => {
      await storage.createRoom(room('a'), update(1, 'system'));
      const state = await storage.loadState('a');
      expect(state.snapshot).toBeNull();
      expect(state.tail).toHaveLength(1);
      expect(state.tail[0]).toMatchObject({ author: 'system', at: update(1).at, data: update(1).data });
    });

    it('refuses a duplicate room id and keeps the original untouched', async () => {
      await storage.createRoom(room('a'), update(1));
      const clash = { ...room('a'), name: 'Impostor' };
      await expect(storage.createRoom(clash, update(2, 'mallory'))).rejects.toThrow();
      expect(await storage.getRoom('a')).toEqual(room('a'));
      const { tail } = await storage.loadState('a');
      expect(tail.map((u) => u.author)).toEqual(['alice']);
    });

    it('rejects, never throws, when appending to an unknown room, and stores nothing', async () => {
      let pending: Promise<number[]> | undefined;
      expect(() => {
        pending = storage.appendUpdates('missing', [update(1)]);
      }).not.toThrow();
      await expect(pending).rejects.toThrow();
      expect(await storage.readLog('missing', 0, 10)).toEqual([]);
    });

    it('returns [] for an empty append', async () => {
      await storage.createRoom(room('a'), null);
      expect(await storage.appendUpdates('a', [])).toEqual([]);
      expect((await storage.loadState('a')).tail).toEqual([]);
    });

    it('gives increasing seqs across rooms', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      const seqs = [
        ...(await storage.appendUpdates('a', [update(1), update(2)])),
        ...(await storage.appendUpdates('b', [update(3)])),
        ...(await storage.appendUpdates('a', [update(4)])),
        ...(await storage.appendUpdates('b', [update(5), update(6)])),
      ];
      expect(seqs).toHaveLength(6);
      expect(isIncreasing(seqs)).toBe(true);
      const logA = await storage.readLog('a', 0, 100);
      expect(logA.map((u) => u.seq)).toEqual([seqs[0], seqs[1], seqs[3]]);
    });

    it('loads every update in order, byte-exact, with author and time', async () => {
      await storage.createRoom(room('a'), null);
      const sent = [update(1, 'alice'), update(2, 'bob'), update(3, 'system'), update(4, 'alice')];
      sent.push({ at: BASE_AT_MS, author: 'bob', data: new Uint8Array(0) });
      const seqs = await storage.appendUpdates('a', sent);
      const state = await storage.loadState('a');
      expect(state.snapshot).toBeNull();
      expect(state.snapshotSeq).toBe(0);
      expect(state.tail).toEqual(sent.map((u, i) => ({ ...u, seq: seqs[i] })));
      for (const stored of state.tail) expect(stored.data).toBeInstanceOf(Uint8Array);
    });

    it('keeps its own copy of the bytes it was given', async () => {
      await storage.createRoom(room('a'), null);
      const sent = update(1);
      await storage.appendUpdates('a', [sent]);
      sent.data.fill(0);
      expect((await storage.loadState('a')).tail[0]!.data).toEqual(update(1).data);
    });

    it('loads the snapshot plus only the updates after it', async () => {
      await storage.createRoom(room('a'), null);
      const before = await storage.appendUpdates('a', [update(1), update(2)]);
      await storage.saveSnapshot('a', before[1]!, patternBytes(64));
      const after = await storage.appendUpdates('a', [update(3), update(4)]);
      const state = await storage.loadState('a');
      expect(state.snapshot).toEqual(patternBytes(64));
      expect(state.snapshotSeq).toBe(before[1]);
      expect(state.tail.map((u) => u.seq)).toEqual(after);
    });

    it('uses the latest of several snapshots', async () => {
      await storage.createRoom(room('a'), null);
      const [first] = await storage.appendUpdates('a', [update(1)]);
      await storage.saveSnapshot('a', first!, new Uint8Array([1]));
      const [second] = await storage.appendUpdates('a', [update(2)]);
      await storage.saveSnapshot('a', second!, new Uint8Array([2]));
      const [third] = await storage.appendUpdates('a', [update(3)]);
      const state = await storage.loadState('a');
      expect(state.snapshot).toEqual(new Uint8Array([2]));
      expect(state.snapshotSeq).toBe(second);
      expect(state.tail.map((u) => u.seq)).toEqual([third]);
    });

    it('pages through the log, which keeps every update after snapshots', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      const seqs: number[] = [];
      for (let n = 0; n < 10; n++) {
        seqs.push(...(await storage.appendUpdates('a', [update(n)])));
        await storage.appendUpdates('b', [update(100 + n)]);
        if (n === 4) await storage.saveSnapshot('a', seqs[n]!, new Uint8Array([4]));
      }
      const pages: number[][] = [];
      for (let after = 0; ;) {
        const page = await storage.readLog('a', after, 3);
        if (page.length === 0) break;
        pages.push(page.map((u) => u.seq));
        after = page[page.length - 1]!.seq;
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
      expect(pages.flat()).toEqual(seqs);
      expect(await storage.readLog('a', seqs[6]!, 2)).toMatchObject([{ seq: seqs[7] }, { seq: seqs[8] }]);
      expect(await storage.readLog('a', seqs[9]!, 5)).toEqual([]);
      const full = await storage.readLog('a', 0, 100);
      expect(full.map((u) => u.data)).toEqual(seqs.map((_, n) => update(n).data));
    });

    it('repairs a room: snapshots gone, bad entries quarantined, one new snapshot, other rooms untouched', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      const seqs = await storage.appendUpdates('a', [update(1), update(2), update(3), update(4)]);
      await storage.saveSnapshot('a', seqs[1]!, new Uint8Array([9, 9]));
      const [other] = await storage.appendUpdates('b', [update(50)]);
      await storage.saveSnapshot('b', other!, new Uint8Array([5]));

      await storage.repairRoom('a', {
        quarantine: [seqs[2]!],
        snapshot: { seq: seqs[3]!, data: new Uint8Array([7]) },
      });
      const state = await storage.loadState('a');
      expect(state.snapshot).toEqual(new Uint8Array([7]));
      expect(state.snapshotSeq).toBe(seqs[3]);
      expect(state.tail).toEqual([]);
      expect((await storage.readLog('a', 0, 10)).map((u) => u.seq)).toEqual([seqs[0], seqs[1], seqs[3]]);
      expect(await storage.loadSnapshotAt('a', seqs[2]!)).toBeNull();
      const quarantined = await storage.listQuarantined('a');
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0]).toMatchObject({ seq: seqs[2], author: 'alice', at: BASE_AT_MS + 3 });
      expectSameBytes(quarantined[0]!.data, update(3).data);
      expect((await storage.loadState('b')).snapshot).toEqual(new Uint8Array([5]));
      const [next] = await storage.appendUpdates('a', [update(5)]);
      expect(next).toBeGreaterThan(seqs[3]!);
      await expect((await reopen()).listQuarantined('a')).resolves.toHaveLength(1);
    });

    it('repairs atomically: an unknown seq changes nothing', async () => {
      await storage.createRoom(room('a'), null);
      const seqs = await storage.appendUpdates('a', [update(1), update(2)]);
      await storage.saveSnapshot('a', seqs[0]!, new Uint8Array([1]));
      await expect(
        storage.repairRoom('a', { quarantine: [seqs[1]!, 999_999], snapshot: null }),
      ).rejects.toThrow();
      expect((await storage.readLog('a', 0, 10)).map((u) => u.seq)).toEqual(seqs);
      expect((await storage.loadState('a')).snapshot).toEqual(new Uint8Array([1]));
      expect(await storage.listQuarantined('a')).toEqual([]);
    });

    it('repairs with no snapshot: the log alone is the state', async () => {
      await storage.createRoom(room('a'), null);
      const seqs = await storage.appendUpdates('a', [update(1), update(2)]);
      await storage.saveSnapshot('a', seqs[1]!, new Uint8Array([1]));
      await storage.repairRoom('a', { quarantine: [], snapshot: null });
      const state = await storage.loadState('a');
      expect(state.snapshot).toBeNull();
      expect(state.tail.map((u) => u.seq)).toEqual(seqs);
    });

    it('keeps rooms, updates and snapshots across close and reopen', async () => {
      await storage.createRoom(room('a', 'node'), update(1, 'system'));
      const seqs = await storage.appendUpdates('a', [update(2), update(3)]);
      await storage.saveSnapshot('a', seqs[0]!, patternBytes(100));
      const tailBefore = (await storage.loadState('a')).tail;
      const reopened = await reopen();
      expect(await reopened.getRoom('a')).toEqual(room('a', 'node'));
      const state = await reopened.loadState('a');
      expect(state.snapshot).toEqual(patternBytes(100));
      expect(state.snapshotSeq).toBe(seqs[0]);
      expect(state.tail).toEqual(tailBefore);
      expect(await reopened.readLog('a', 0, 10)).toHaveLength(3);
      const [next] = await reopened.appendUpdates('a', [update(4)]);
      expect(next).toBeGreaterThan(seqs[1]!);
    });

    it('closes more than once without complaint', async () => {
      await storage.close();
      await expect(storage.close()).resolves.toBeUndefined();
    });

    it('round-trips a 1 MiB update and snapshot', async () => {
      const big = patternBytes(LARGE_BLOB_BYTES);
      await storage.createRoom(room('a'), null);
      const [seq] = await storage.appendUpdates('a', [{ at: BASE_AT_MS, author: 'alice', data: big }]);
      expectSameBytes((await storage.readLog('a', 0, 1))[0]?.data, big);
      await storage.saveSnapshot('a', seq!, big);
      const state = await reopen().then((s) => s.loadState('a'));
      expectSameBytes(state.snapshot, big);
      expect(state.tail).toEqual([]);
    });

    it(`loads ${MANY_UPDATES} updates appended in batches, in order`, async () => {
      await storage.createRoom(room('a'), null);
      const seqs: number[] = [];
      for (let start = 0; start < MANY_UPDATES; start += MANY_BATCH) {
        const batch = Array.from({ length: MANY_BATCH }, (_, i) => update(start + i));
        seqs.push(...(await storage.appendUpdates('a', batch)));
      }
      expect(new Set(seqs).size).toBe(MANY_UPDATES);
      expect(isIncreasing(seqs)).toBe(true);
      const { tail } = await storage.loadState('a');
      expect(tail.map((u) => u.seq)).toEqual(seqs);
      expect(tail.every((u, n) => u.at === BASE_AT_MS + n)).toBe(true);
    });

    it('rebuilds a Yjs document from the log and from a snapshot', async () => {
      await storage.createRoom(room('a'), null);
      const doc = new Y.Doc();
      const pending: Uint8Array[] = [];
      doc.on('update', (data: Uint8Array) => pending.push(data));
      const flush = async () => {
        const batch = pending.splice(0).map((data, i) => ({ at: BASE_AT_MS + i, author: 'alice', data }));
        return storage.appendUpdates('a', batch);
      };
      const text = doc.getText('main.py');
      text.insert(0, 'print("hello")\n');
      text.insert(0, '# ünïcødé 🚀\n');
      text.delete(2, 3);
      const seqs = await flush();

      const fromLog = new Y.Doc();
      for (const u of (await storage.loadState('a')).tail) Y.applyUpdate(fromLog, u.data);
      expect(fromLog.getText('main.py').toString()).toBe(text.toString());

      await storage.saveSnapshot('a', seqs[seqs.length - 1]!, Y.encodeStateAsUpdate(doc));
      text.insert(text.length, 'print("after")\n');
      doc.getMap('meta').set('entry', 'main.py');
      await flush();

      const state = await reopen().then((s) => s.loadState('a'));
      expect(state.tail).toHaveLength(2);
      const fromSnapshot = new Y.Doc();
      Y.applyUpdate(fromSnapshot, state.snapshot!);
      for (const u of state.tail) Y.applyUpdate(fromSnapshot, u.data);
      expect(fromSnapshot.getText('main.py').toString()).toBe(text.toString());
      expect(fromSnapshot.getMap('meta').get('entry')).toBe('main.py');
    });

    it('stores runs and lists them newest first, byte-exact, surviving a reopen', async () => {
      await storage.createRoom(room('r'), null);
      await storage.saveRun(run('r', 'first', BASE_AT_MS));
      await storage.saveRun({ ...run('r', 'second', BASE_AT_MS + 10), exitCode: 0, reason: 'exited' });
      await expect(storage.saveRun(run('r', 'first', BASE_AT_MS + 20))).rejects.toThrow();
      await expect(storage.saveRun(run('nope', 'x', BASE_AT_MS))).rejects.toThrow();
      storage = await reopen();
      const runs = await storage.listRuns('r', 10);
      expect(runs.map((r) => r.runId)).toEqual(['second', 'first']);
      const first = runs[1]!;
      expect({ ...first, output: null }).toEqual({ ...run('r', 'first', BASE_AT_MS), output: null });
      expectSameBytes(first.output, patternBytes(300));
      expect(runs[0]!.exitCode).toBe(0);
      expect(await storage.listRuns('r', 1)).toHaveLength(1);
      expect(await storage.listRuns('other', 10)).toEqual([]);
    });

    it('sets, replaces, lists and deletes sealed environment variables per room', async () => {
      await storage.createRoom(room('a'), null);
      await storage.createRoom(room('b'), null);
      await storage.setEnv('a', { name: 'TOKEN', sealed: new Uint8Array([1, 2, 3]) });
      await storage.setEnv('a', { name: 'API', sealed: new Uint8Array([9]) });
      await storage.setEnv('a', { name: 'TOKEN', sealed: new Uint8Array([4, 5]) });
      await expect(storage.setEnv('nope', { name: 'X', sealed: new Uint8Array([1]) })).rejects.toThrow();
      storage = await reopen();
      const vars = await storage.listEnv('a');
      expect(vars.map((v) => v.name)).toEqual(['API', 'TOKEN']);
      expectSameBytes(vars[1]!.sealed, new Uint8Array([4, 5]));
      expect(await storage.listEnv('b')).toEqual([]);
      expect(await storage.deleteEnv('a', 'TOKEN')).toBe(true);
      expect(await storage.deleteEnv('a', 'TOKEN')).toBe(false);
      expect((await storage.listEnv('a')).map((v) => v.name)).toEqual(['API']);
    });

    it('keeps one short link per room, role and link generation, surviving a reopen', async () => {
      await storage.createRoom(room('a'), null);
      const link = (code: string, role: string, generation: number) => ({
        code,
        roomId: 'a',
        role,
        generation,
        createdAt: 5,
      });
      expect(await storage.shortLink(link('c1', 'editor', 0))).toBe('c1');
      // Another browser asking for the same role gets the same code.
      expect(await storage.shortLink(link('c2', 'editor', 0))).toBe('c1');
      expect(await storage.shortLink(link('c3', 'viewer', 0))).toBe('c3');
      expect(await storage.shortLink(link('c4', 'editor', 1))).toBe('c4');
      await expect(storage.shortLink({ ...link('c5', 'editor', 0), roomId: 'nope' })).rejects.toThrow();
      storage = await reopen();
      expect(await storage.findShortLink('c1')).toEqual(link('c1', 'editor', 0));
      expect(await storage.findShortLink('c2')).toBeNull();
      expect(await storage.findShortLink('c4')).toMatchObject({ role: 'editor', generation: 1 });
    });
  });
}
