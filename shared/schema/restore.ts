/**
 * Restoring a project to an earlier state without rewriting history: the files
 * of `target` (the live document) are made equal to those of `past` (the same
 * room rebuilt from its log) by ordinary edits, so the restore is one more
 * update that syncs, merges with concurrent edits and can itself be undone by
 * a later restore. Chat and meta are left alone.
 *
 * Files are matched by id, so a restored file keeps its id (and with it the
 * editor tabs and cursors that point at it). Text is changed by a common
 * prefix/suffix diff: only the differing middle is deleted and re-inserted,
 * so characters that did not change keep their ids (and their authorship).
 */
import * as Y from 'yjs';
import { readBinary } from './binary.js';
import { isValidPath } from './paths.js';
import { filesOf } from './project.js';

export interface RestoreSummary {
  /** Files in the project after the restore. */
  files: number;
  created: number;
  deleted: number;
  /** Files whose path, text or bytes changed. */
  changed: number;
}

type PastFile =
  { path: string; text: string; bytes?: never } | { path: string; bytes: Uint8Array; text?: never };

export function restoreProject(target: Y.Doc, past: Y.Doc): RestoreSummary {
  const wanted = readFiles(past);
  const summary: RestoreSummary = { files: wanted.size, created: 0, deleted: 0, changed: 0 };
  const files = filesOf(target);
  target.transact(() => {
    for (const id of [...files.keys()]) {
      if (wanted.has(id)) continue;
      files.delete(id);
      summary.deleted++;
    }
    for (const [id, file] of wanted) {
      const entry = files.get(id);
      if (entry instanceof Y.Map && sameKind(entry, file)) {
        if (updateFile(entry, file)) summary.changed++;
        continue;
      }
      files.set(id, newEntry(file));
      if (entry === undefined) summary.created++;
      else summary.changed++;
    }
  });
  return summary;
}

/** Valid text and binary files by id; anything else counts as absent. */
function readFiles(doc: Y.Doc): Map<string, PastFile> {
  const found = new Map<string, PastFile>();
  filesOf(doc).forEach((entry, id) => {
    if (!(entry instanceof Y.Map)) return;
    const path: unknown = entry.get('path');
    if (typeof path !== 'string' || !isValidPath(path)) return;
    const text: unknown = entry.get('text');
    if (text instanceof Y.Text) {
      found.set(id, { path, text: text.toString() });
      return;
    }
    const bytes = text === undefined ? readBinary(doc, id) : null;
    if (bytes) found.set(id, { path, bytes });
  });
  return found;
}

function sameKind(entry: Y.Map<unknown>, file: PastFile): boolean {
  const text: unknown = entry.get('text');
  return file.bytes ? text === undefined : text instanceof Y.Text;
}

function newEntry(file: PastFile): Y.Map<unknown> {
  const entry = new Y.Map<unknown>();
  entry.set('path', file.path);
  if (file.bytes) entry.set('bytes', file.bytes.slice());
  else {
    const text = new Y.Text();
    text.insert(0, file.text);
    entry.set('text', text);
  }
  return entry;
}

/** Brings an entry of the same kind to `file`; true if anything changed. */
function updateFile(entry: Y.Map<unknown>, file: PastFile): boolean {
  let changed = false;
  if (entry.get('path') !== file.path) {
    entry.set('path', file.path);
    changed = true;
  }
  if (file.bytes) {
    const bytes: unknown = entry.get('bytes');
    if (!(bytes instanceof Uint8Array) || !sameBytes(bytes, file.bytes)) {
      entry.set('bytes', file.bytes.slice());
      changed = true;
    }
    return changed;
  }
  return replaceText(entry.get('text') as Y.Text, file.text) || changed;
}

/** Makes `text` read `next` by deleting and inserting only the middle that differs. */
export function replaceText(text: Y.Text, next: string): boolean {
  const current = text.toString();
  if (current === next) return false;
  const { prefix, suffix } = commonEnds(current, next);
  const removed = current.length - prefix - suffix;
  if (removed > 0) text.delete(prefix, removed);
  const inserted = next.slice(prefix, next.length - suffix);
  if (inserted.length > 0) text.insert(prefix, inserted);
  return true;
}

/**
 * Lengths of the common prefix and suffix of `a` and `b`. Never cuts a surrogate
 * pair: Yjs would store the halves as U+FFFD, and an editor would show garbage.
 */
export function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const shorter = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shorter && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHighSurrogate(a.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)
  )
    suffix++;
  if (suffix > 0 && isLowSurrogate(a.charCodeAt(a.length - suffix))) suffix--;
  return { prefix, suffix };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
