/**
 * File operations on the project document. Folders are not stored: they are the
 * prefixes of file paths, so a folder rename rewrites the `path` of each file in
 * it (in one transaction) and never touches the text, and concurrent edits to
 * those files survive it.
 */
import { signal, type Signal } from '@preact/signals';
import * as Y from 'yjs';
import { normalizePath, PathError } from '../../../shared/schema/paths.js';
import { listAllFiles, type ProjectFile } from '../../../shared/schema/binary.js';
import { addFile, filesOf, foldersOf, listFolders } from '../../../shared/schema/project.js';

export class FileOpError extends Error {
  override name = 'FileOpError';
}

/** The file list, recomputed when files are added, removed or renamed, not on every keystroke. */
export function watchFiles(doc: Y.Doc): {
  files: Signal<ProjectFile[]>;
  folders: Signal<string[]>;
  stop: () => void;
} {
  const files = signal(listAllFiles(doc));
  const folders = signal(listFolders(doc));
  const map = filesOf(doc);
  const onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    if (events.some((event) => !(event.target instanceof Y.Text))) files.value = listAllFiles(doc);
  };
  const onFolders = () => (folders.value = listFolders(doc));
  map.observeDeep(onChange);
  foldersOf(doc).observe(onFolders);
  return {
    files,
    folders,
    stop: () => {
      map.unobserveDeep(onChange);
      foldersOf(doc).unobserve(onFolders);
    },
  };
}

/** Makes an empty folder, for everyone (it stays when its last file goes). */
export function createFolder(doc: Y.Doc, path: string): void {
  const clean = checkedPath(path);
  for (const taken of storedPaths(doc).values()) {
    if (taken === clean || taken.startsWith(`${clean}/`)) throw new FileOpError(`${clean} already exists.`);
    if (clean.startsWith(`${taken}/`)) throw new FileOpError(`${taken} is a file, not a folder.`);
  }
  if (foldersOf(doc).has(clean)) throw new FileOpError(`${clean} already exists.`);
  foldersOf(doc).set(clean, true);
}

/** Folder entries at or under `folder`. */
function foldersUnder(doc: Y.Doc, folder: string): string[] {
  return [...foldersOf(doc).keys()].filter((path) => path === folder || path.startsWith(`${folder}/`));
}

function checkedPath(path: string): string {
  try {
    return normalizePath(path);
  } catch (error) {
    throw new FileOpError(error instanceof PathError ? `Invalid name: ${error.message}.` : String(error));
  }
}

function storedPaths(doc: Y.Doc): Map<string, string> {
  const paths = new Map<string, string>();
  filesOf(doc).forEach((value, id) => {
    const path: unknown = value instanceof Y.Map ? value.get('path') : undefined;
    if (typeof path === 'string') paths.set(id, path);
  });
  return paths;
}

function assertFree(doc: Y.Doc, path: string, except?: string): void {
  for (const [id, taken] of storedPaths(doc)) {
    if (id === except) continue;
    if (taken === path) throw new FileOpError(`${path} already exists.`);
    if (taken.startsWith(`${path}/`)) throw new FileOpError(`${path} is a folder.`);
    if (path.startsWith(`${taken}/`)) throw new FileOpError(`${taken} is a file, not a folder.`);
  }
}

/** The canonical form of `path`, checked to be free for a new file. */
export function freePath(doc: Y.Doc, path: string): string {
  const clean = checkedPath(path);
  assertFree(doc, clean);
  return clean;
}

export function createFile(doc: Y.Doc, path: string, content = ''): string {
  return addFile(doc, freePath(doc, path), content);
}

export function renameFile(doc: Y.Doc, id: string, newPath: string): void {
  const clean = checkedPath(newPath);
  const entry = filesOf(doc).get(id);
  if (!(entry instanceof Y.Map)) throw new FileOpError('That file no longer exists.');
  if (entry.get('path') === clean) return;
  assertFree(doc, clean, id);
  entry.set('path', clean);
}

export function deleteFile(doc: Y.Doc, id: string): void {
  filesOf(doc).delete(id);
}

/** Ids of the files under `folder` (a path prefix without the trailing slash). */
export function filesInFolder(doc: Y.Doc, folder: string): string[] {
  return [...storedPaths(doc)].filter(([, path]) => path.startsWith(`${folder}/`)).map(([id]) => id);
}

export function renameFolder(doc: Y.Doc, folder: string, newFolder: string): void {
  const clean = checkedPath(newFolder);
  if (clean === folder) return;
  if (clean.startsWith(`${folder}/`)) throw new FileOpError('A folder cannot move into itself.');
  const moving = new Set(filesInFolder(doc, folder));
  const paths = storedPaths(doc);
  for (const [id, path] of paths) {
    if (moving.has(id)) continue;
    if (path === clean || path.startsWith(`${clean}/`)) throw new FileOpError(`${clean} already exists.`);
  }
  if (foldersOf(doc).has(clean)) throw new FileOpError(`${clean} already exists.`);
  doc.transact(() => {
    for (const id of moving) {
      const entry = filesOf(doc).get(id) as Y.Map<unknown>;
      entry.set('path', clean + paths.get(id)!.slice(folder.length));
    }
    for (const path of foldersUnder(doc, folder)) {
      foldersOf(doc).delete(path);
      foldersOf(doc).set(clean + path.slice(folder.length), true);
    }
  });
}

export function deleteFolder(doc: Y.Doc, folder: string): void {
  doc.transact(() => {
    for (const id of filesInFolder(doc, folder)) filesOf(doc).delete(id);
    for (const path of foldersUnder(doc, folder)) foldersOf(doc).delete(path);
  });
}

/** Names a project usually starts from, best first, when its meta names no entry. */
const STARTING_NAMES = /^(main|index|app|Main|server)\.[a-z]+$|^README(\.md)?$/;

/**
 * The file someone opening the room should land on: the project's entry file,
 * else a top-level file a project usually starts from, else the first file.
 */
export function landingFile<T extends { id: string; path: string }>(
  files: readonly T[],
  entry: unknown,
): T | undefined {
  return (
    files.find((file) => file.path === entry) ??
    files.find((file) => !file.path.includes('/') && STARTING_NAMES.test(file.path)) ??
    files[0]
  );
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}
