/**
 * A fork's starting point: the source's current files (text and binary, at their
 * display paths, with new ids) and its display meta, under a new name. History
 * is not copied: the fork's log starts here.
 */
import type * as Y from 'yjs';
import { addBinaryFile, listAllFiles, readBinary } from './binary.js';
import { addFile, foldersOf, listFolders, metaOf } from './project.js';

export function forkProject(source: Y.Doc, target: Y.Doc, name: string): void {
  const files = listAllFiles(source);
  const texts = new Map(
    files
      .filter((f) => f.kind === 'text')
      .map((f) => [f.id, source.getMap('files').get(f.id) as Y.Map<unknown>]),
  );
  const sourceMeta = metaOf(source);
  target.transact(() => {
    for (const file of files) {
      if (file.kind === 'text') addFile(target, file.path, String(texts.get(file.id)?.get('text') ?? ''));
      else {
        const bytes = readBinary(source, file.id);
        if (bytes) addBinaryFile(target, file.path, bytes);
      }
    }
    for (const folder of listFolders(source)) foldersOf(target).set(folder, true);
    const meta = metaOf(target);
    meta.set('name', name);
    for (const key of ['language', 'entry']) {
      const value = sourceMeta.get(key);
      if (typeof value === 'string') meta.set(key, value);
    }
  });
}
