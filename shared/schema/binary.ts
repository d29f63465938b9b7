/**
 * Binary files in a project (images, archives, data): Y.Map fileId -> Y.Map
 * { path, bytes: Uint8Array }, beside the text files in `files`. They are kept
 * and synced as one value (no merging inside), size-capped, never opened as text.
 *
 * `listAllFiles` shows text and binary files together. Text files keep exactly
 * the display paths `listFiles` gives them (the relay's files API and run
 * snapshots use those); a binary file that lands on a taken path gets its id as
 * a suffix, so every client shows the same, distinct names.
 */
import * as Y from 'yjs';
import { isValidPath, normalizePath, suffixPath } from './paths.js';
import { filesOf, listFiles, newFileId } from './project.js';

/** Largest binary file a client stores in a document. */
export const BINARY_MAX_BYTES = 1024 * 1024;

export interface ProjectFile {
  id: string;
  path: string;
  size: number;
  kind: 'text' | 'binary';
  /** The path as stored, when it clashes with another file or a folder and `path` is numbered. */
  storedPath?: string;
}

export class BinaryTooLargeError extends Error {
  override name = 'BinaryTooLargeError';
}

export function addBinaryFile(doc: Y.Doc, path: string, bytes: Uint8Array, id = newFileId()): string {
  if (bytes.byteLength > BINARY_MAX_BYTES) {
    throw new BinaryTooLargeError(`binary files are limited to ${BINARY_MAX_BYTES} bytes`);
  }
  const entry = new Y.Map<unknown>();
  entry.set('path', normalizePath(path));
  entry.set('bytes', bytes);
  filesOf(doc).set(id, entry);
  return id;
}

/** The bytes of a binary file, or null when `id` is not one. */
export function readBinary(doc: Y.Doc, id: string): Uint8Array | null {
  const entry = filesOf(doc).get(id);
  if (!(entry instanceof Y.Map)) return null;
  const bytes: unknown = entry.get('bytes');
  return bytes instanceof Uint8Array && bytes.byteLength <= BINARY_MAX_BYTES ? bytes : null;
}

/** Text and binary files, sorted by display path. */
export function listAllFiles(doc: Y.Doc): ProjectFile[] {
  const files: ProjectFile[] = listFiles(doc).map((file) => ({ ...file, kind: 'text' }));
  const taken = new Set(files.map((file) => file.path));
  const binaries: { id: string; path: string; size: number }[] = [];
  filesOf(doc).forEach((value, id) => {
    if (!(value instanceof Y.Map) || value.get('text') !== undefined) return;
    const path: unknown = value.get('path');
    const bytes = readBinary(doc, id);
    if (typeof path === 'string' && isValidPath(path) && bytes)
      binaries.push({ id, path, size: bytes.byteLength });
  });
  binaries.sort((a, b) => (a.path === b.path ? cmp(a.id, b.id) : cmp(a.path, b.path)));
  for (const binary of binaries) {
    let path = binary.path;
    for (let n = 1; taken.has(path); n++)
      path = suffixPath(binary.path, n === 1 ? binary.id : `${binary.id}-${n}`);
    taken.add(path);
    files.push({ ...binary, path, kind: 'binary' });
  }
  return files.sort((a, b) => cmp(a.path, b.path));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
