/**
 * Keeps a room's files and its workspace's the same, both ways, by
 * differential synchronisation: `shadow` is what the relay believes the
 * container holds (the version both sides last agreed on, per path).
 *
 * Room -> workspace: after any change to the document (debounced), every file
 * whose content differs from its shadow is sent as a `put`, every shadowed path
 * the room no longer has as a `del`, in one ordered batch; the shadow then
 * holds what was sent. What the relay just applied from the workspace equals
 * its shadow already, so it is never echoed back.
 *
 * Workspace -> room: a change carries the hash of the version it started from
 * (its base). A text change is merged three ways (base, the container's text,
 * the room's text now), so typing in the room meanwhile survives, and applied
 * as the smallest Y.Text edits; a delete of a file the room has edited since
 * is not applied (the edits are sent back instead); a new file whose bytes are
 * a file deleted in the same batch is that file renamed. The caller applies a
 * batch in one transaction: one log entry, credited to whoever typed last.
 */
import { createHash } from 'node:crypto';
import ignore from 'ignore';
import * as Y from 'yjs';
import type { FileChange, FileOp } from '../../shared/protocol/table.js';
import { addBinaryFile, BINARY_MAX_BYTES, listAllFiles } from '../../shared/schema/binary.js';
import { isValidPath } from '../../shared/schema/paths.js';
import { addFile, filesOf } from '../../shared/schema/project.js';
import { applyTextDiff, mergeText } from '../../shared/workspace/textMerge.js';

/** Folders that never come back from a workspace (nor are watched in it). */
export const DEFAULT_SKIP = [
  'node_modules',
  '.git',
  '__pycache__',
  '.venv',
  'target',
  'dist',
  'build',
  '.next',
];
const IGNORE_FILES = ['.gitignore', '.tandemignore'];
/** Earlier versions kept per path as merge bases. */
const VERSIONS_PER_PATH = 4;

interface Shadow {
  hash: string;
  text: string | null;
  bytes: Uint8Array | null;
}

interface RoomFile {
  id: string;
  kind: 'text' | 'binary';
}

export interface MirrorLimits {
  /** Files the room may hold; files the workspace makes past it stay in the container. */
  filesMax: number;
  /** May the room take this many more bytes? (The document's size cap.) */
  hasRoomFor(bytes: number): boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FileMirror {
  private readonly shadow = new Map<string, Shadow>();
  private readonly versions = new Map<string, Map<string, string>>();
  private timer: NodeJS.Timeout | null = null;
  /** Texts typed into since the last flush: only these are compared, not the whole project. */
  private readonly typedIn = new Set<string>();
  /** Entries came, went or moved (or a binary changed): every display path is resolved again. */
  private structural = true;
  /** File id -> display path, as of the last full pass. */
  private readonly pathOf = new Map<string, string>();
  private readonly observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const event of events) {
      const id = event.path[0];
      if (event.path.length === 2 && typeof id === 'string' && this.pathOf.has(id)) this.typedIn.add(id);
      else this.structural = true;
    }
    this.schedule();
  };

  constructor(
    private readonly doc: Y.Doc,
    private readonly send: (ops: FileOp[]) => void,
    private readonly flushDelayMs = 20,
  ) {}

  /** Sends every file now and follows the document from here on. */
  start(): void {
    filesOf(this.doc).observeDeep(this.observer);
    this.flush();
  }

  stop(): void {
    filesOf(this.doc).unobserveDeep(this.observer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.flushDelayMs);
  }

  /** Room -> workspace: what differs from the shadow, as one ordered batch. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ops: FileOp[] = [];
    const files = filesOf(this.doc);
    if (!this.structural) {
      // Only typing: the paths stand, the texts typed into are compared.
      for (const id of this.typedIn) this.compare(this.pathOf.get(id)!, files.get(id), ops);
    } else {
      this.pathOf.clear();
      for (const file of listAllFiles(this.doc)) {
        this.pathOf.set(file.id, file.path);
        this.compare(file.path, files.get(file.id), ops);
      }
      const seen = new Set(this.pathOf.values());
      for (const path of [...this.shadow.keys()]) {
        if (seen.has(path)) continue;
        this.forget(path);
        ops.push({ op: 'del', path, data: new Uint8Array() });
      }
    }
    this.typedIn.clear();
    this.structural = false;
    if (ops.length > 0) this.send(ops);
  }

  /** A put for the file at `path` when it differs from what the container holds. */
  private compare(path: string, entry: unknown, ops: FileOp[]): void {
    if (!(entry instanceof Y.Map)) return;
    const shadow = this.shadow.get(path);
    const text: unknown = entry.get('text');
    if (text instanceof Y.Text) {
      const content = text.toString();
      if (shadow?.text === content) return;
      const data = encoder.encode(content);
      this.remember(path, { hash: sha256(data), text: content, bytes: null });
      ops.push({ op: 'put', path, data });
      return;
    }
    const bytes: unknown = entry.get('bytes');
    if (!(bytes instanceof Uint8Array) || (shadow?.bytes && sameBytes(shadow.bytes, bytes))) return;
    this.remember(path, { hash: sha256(bytes), text: null, bytes });
    ops.push({ op: 'put', path, data: bytes });
  }

  /**
   * Workspace -> room: applies a batch to `doc` (call inside the room's one
   * change). Returns sentences for people about what was not taken.
   */
  apply(doc: Y.Doc, changes: FileChange[], limits: MirrorLimits): string[] {
    const notices: string[] = [];
    const ignored = this.ignoreRules(doc);
    const files = filesOf(doc);
    const byPath = new Map<string, RoomFile>(
      listAllFiles(doc).map((file) => [file.path, { id: file.id, kind: file.kind }]),
    );
    let count = byPath.size;
    let overCap = 0;
    // A file deleted in this batch and put, new, elsewhere with the same bytes was moved:
    // the room's entry changes path, so its history and people's cursors follow it.
    const newByHash = new Map<string, string>();
    for (const change of changes) {
      if (change.op === 'put' && change.base === '' && !byPath.has(change.path))
        newByHash.set(sha256(change.data), change.path);
    }
    const moves = new Map<string, { from: string; file: RoomFile }>();
    for (const change of changes) {
      if (change.op !== 'del') continue;
      const file = byPath.get(change.path);
      const to = newByHash.get(change.base);
      if (
        file &&
        to !== undefined &&
        !moves.has(to) &&
        this.unchangedSince(doc, file, change.path, change.base)
      ) {
        moves.set(to, { from: change.path, file });
      }
    }
    const movedFrom = new Set([...moves.values()].map((move) => move.from));
    for (const change of changes) {
      const { path } = change;
      if (!isValidPath(path) || path !== path.normalize('NFC')) {
        notices.push(`${printable(path)}: not a path a room can hold; it stays in the workspace only`);
        continue;
      }
      if (ignored(path)) continue;
      const file = byPath.get(path);
      if (change.op === 'refused') {
        notices.push(`${path}: ${change.why}`);
        // The room's version must not be pushed back over what the container holds there.
        if (file) this.remember(path, this.currentShadow(doc, file));
        else this.forget(path);
        continue;
      }
      if (change.op === 'del') {
        if (movedFrom.has(path)) continue;
        if (file && this.unchangedSince(doc, file, path, change.base)) {
          files.delete(file.id);
          byPath.delete(path);
          count--;
        }
        // Edited in the room since: the room's version stays and goes back to the container.
        this.forget(path);
        continue;
      }
      const data = change.data;
      const text = decodeText(data);
      const hash = sha256(data);
      if (text === null && data.byteLength > BINARY_MAX_BYTES) {
        notices.push(`${path}: binary files over ${BINARY_MAX_BYTES} bytes stay in the workspace only`);
        continue;
      }
      const move = !file ? moves.get(path) : undefined;
      if (move && byPath.get(move.from) === move.file) {
        (files.get(move.file.id) as Y.Map<unknown>).set('path', path);
        byPath.delete(move.from);
        byPath.set(path, move.file);
        this.forget(move.from);
        this.remember(path, { hash, text, bytes: text === null ? data : null });
        continue;
      }
      if (!file && count >= limits.filesMax) {
        overCap++;
        continue;
      }
      if (!limits.hasRoomFor(data.byteLength)) {
        notices.push(
          `${path}: the room is full (its document size limit); the file stays in the workspace only`,
        );
        continue;
      }
      const entry = file ? (files.get(file.id) as Y.Map<unknown>) : null;
      if (text !== null && entry && file!.kind === 'text') {
        const yText = entry.get('text') as Y.Text;
        const base = this.versions.get(path)?.get(change.base);
        applyTextDiff(yText, base === undefined ? text : mergeText(base, text, yText.toString()));
      } else if (text === null && entry && file!.kind === 'binary') {
        entry.set('bytes', data);
      } else {
        // New, or it changed between text and binary: a new entry at the same path.
        if (file) files.delete(file.id);
        const id = text === null ? addBinaryFile(doc, path, data) : addFile(doc, path, text);
        byPath.set(path, { id, kind: text === null ? 'binary' : 'text' });
        if (!file) count++;
      }
      this.remember(path, { hash, text, bytes: text === null ? data : null });
    }
    if (overCap > 0) {
      notices.push(
        `the workspace made ${overCap} more file${overCap === 1 ? '' : 's'} than a room keeps (${limits.filesMax}); they stay in the workspace only`,
      );
    }
    return notices;
  }

  /** Does the room's file still hold the version the container started from? */
  private unchangedSince(doc: Y.Doc, file: RoomFile, path: string, base: string): boolean {
    const shadow = this.shadow.get(path);
    if (!shadow || shadow.hash !== base) return false;
    return this.currentShadow(doc, file).hash === base;
  }

  private currentShadow(doc: Y.Doc, file: RoomFile): Shadow {
    const entry = filesOf(doc).get(file.id) as Y.Map<unknown>;
    if (file.kind === 'text') {
      const text = (entry.get('text') as Y.Text).toString();
      return { hash: sha256(encoder.encode(text)), text, bytes: null };
    }
    const bytes = entry.get('bytes') as Uint8Array;
    return { hash: sha256(bytes), text: null, bytes };
  }

  private remember(path: string, shadow: Shadow): void {
    this.shadow.set(path, shadow);
    if (shadow.text === null) return;
    const versions = this.versions.get(path) ?? new Map<string, string>();
    versions.delete(shadow.hash);
    versions.set(shadow.hash, shadow.text);
    while (versions.size > VERSIONS_PER_PATH) versions.delete(versions.keys().next().value!);
    this.versions.set(path, versions);
  }

  private forget(path: string): void {
    this.shadow.delete(path);
    this.versions.delete(path);
  }

  /** The project's .gitignore and .tandemignore rules, over the default folders. */
  private ignoreRules(doc: Y.Doc): (path: string) => boolean {
    const rules = ignore().add(DEFAULT_SKIP.map((name) => `${name}/`));
    const files = filesOf(doc);
    for (const file of listAllFiles(doc)) {
      if (file.kind !== 'text' || !IGNORE_FILES.includes(file.path)) continue;
      rules.add(((files.get(file.id) as Y.Map<unknown>).get('text') as Y.Text).toString());
    }
    return (path) => rules.ignores(path);
  }
}

function decodeText(data: Uint8Array): string | null {
  if (data.includes(0)) return null;
  try {
    return utf8.decode(data);
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function printable(path: string): string {
  return JSON.stringify(path.slice(0, 200));
}
