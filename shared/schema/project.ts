/**
 * The shape of a project document.
 *
 * - `files`: Y.Map fileId -> Y.Map { path: string, text: Y.Text }. A rename or move
 *   changes `path` only, so concurrent edits to the content survive it.
 * - `chat`: Y.Array of { userId, name, text, at }.
 * - `meta`: display-only copies (name, language, entry). The relay's database, not
 *   this document, holds authority over roles and room mode.
 * - `folders`: Y.Map path -> true, the folders someone made. A folder with files
 *   in it exists anyway (as their paths' prefix); this keeps an empty one, for
 *   everyone and across reloads. Rooms from before it simply have none.
 *
 * A writer can put anything into a document, so every reader here tolerates
 * entries of the wrong shape: they are skipped, never thrown on.
 */
import * as Y from 'yjs';
import { isValidPath, normalizePath, revealInvisible, suffixPath } from './paths.js';

/** A chat message's text, at most (the relay refuses longer ones). */
export const CHAT_TEXT_MAX_CHARS = 2000;

/** An entry of `chat`. */
export interface ChatEntry {
  userId: string;
  name: string;
  text: string;
  /** Milliseconds since the epoch, the relay's clock. */
  at: number;
}

export const FILES_KEY = 'files';
export const CHAT_KEY = 'chat';
export const META_KEY = 'meta';
export const FOLDERS_KEY = 'folders';

export interface FileInfo {
  id: string;
  /** The path to show: the stored path, with a suffix when two files claim one path. */
  path: string;
  /** UTF-8 bytes of the text. */
  size: number;
  /** The path as stored, when it clashes with another file or a folder and `path` is numbered. */
  storedPath?: string;
}

export interface ProjectMeta {
  name?: string;
  language?: string;
  entry?: string;
}

export function filesOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(FILES_KEY);
}

export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META_KEY);
}

export function foldersOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(FOLDERS_KEY);
}

/** The folders someone made (valid paths only, sorted); they may hold files or not. */
export function listFolders(doc: Y.Doc): string[] {
  return [...foldersOf(doc).keys()].filter((path) => isValidPath(path)).sort();
}

export function chatOf(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray(CHAT_KEY);
}

/** A fresh file id: 16 random hex characters. */
export function newFileId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Adds a text file; returns its id. Throws `PathError` for a bad path. */
export function addFile(doc: Y.Doc, path: string, content = '', id = newFileId()): string {
  const entry = new Y.Map<unknown>();
  const text = new Y.Text();
  text.insert(0, content);
  entry.set('path', normalizePath(path));
  entry.set('text', text);
  filesOf(doc).set(id, entry);
  return id;
}

interface ValidEntry {
  id: string;
  path: string;
  text: Y.Text;
  /** Set when `path` had to be numbered: what the entry stores. */
  storedPath?: string;
}

function validEntries(doc: Y.Doc): ValidEntry[] {
  const entries: ValidEntry[] = [];
  filesOf(doc).forEach((value, id) => {
    if (!(value instanceof Y.Map)) return;
    const stored: unknown = value.get('path');
    const text: unknown = value.get('text');
    if (typeof stored !== 'string' || !(text instanceof Y.Text)) return;
    const path = isValidPath(stored) ? stored : revealInvisible(stored);
    if (path !== null) entries.push({ id, path, text });
  });
  return entries;
}

/**
 * Every file, sorted by display path. Two files on one path are both listed: the
 * one with the smaller id keeps the path, the others are numbered, so every
 * client shows the same thing. A file whose path is also a folder (`same` beside
 * `same/child.py`) is numbered too, so the project can still be written to disk.
 */
export function listFiles(doc: Y.Doc): FileInfo[] {
  return resolveDisplayPaths(validEntries(doc)).map(({ id, path, text, storedPath }) => ({
    id,
    path,
    size: utf8Length(text.toString()),
    ...(storedPath === undefined ? {} : { storedPath }),
  }));
}

/** The file shown at `path` (display path), or null. */
export function findFile(doc: Y.Doc, path: string): { id: string; text: Y.Text } | null {
  const entry = resolveDisplayPaths(validEntries(doc)).find((e) => e.path === path);
  return entry ? { id: entry.id, text: entry.text } : null;
}

/** Plain snapshot of every file's text, keyed by display path. */
export function snapshotFiles(doc: Y.Doc): Record<string, string> {
  const files: Record<string, string> = {};
  for (const { path, text } of resolveDisplayPaths(validEntries(doc))) files[path] = text.toString();
  return files;
}

function resolveDisplayPaths(entries: ValidEntry[]): ValidEntry[] {
  entries.sort((a, b) => (a.path === b.path ? cmp(a.id, b.id) : cmp(a.path, b.path)));
  const folders = new Set<string>();
  for (const { path } of entries) {
    for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      folders.add(path.slice(0, slash));
    }
  }
  const taken = new Set(entries.map((e) => e.path));
  for (const folder of folders) taken.add(folder);
  const out: ValidEntry[] = [];
  let previous: string | null = null;
  let copy = 1;
  for (const entry of entries) {
    const first = entry.path !== previous;
    if (first) {
      previous = entry.path;
      copy = 1;
      if (!folders.has(entry.path)) {
        out.push(entry);
        continue;
      }
    }
    // Numbered in id order, never named after the id: ids are chosen by writers,
    // and a display path ends up as a file path in the runner.
    let display: string;
    do display = suffixPath(entry.path, String(++copy));
    while (taken.has(display));
    taken.add(display);
    out.push({ ...entry, path: display, storedPath: entry.path });
  }
  return out.sort((a, b) => cmp(a.path, b.path));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
