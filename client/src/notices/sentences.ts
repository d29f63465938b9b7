/** The sentences notices say. `who` is a person's name, or null when nobody could be named. */
import { RunMode } from '../../../shared/protocol/table.js';
import type { FileChange } from './fileChanges.js';

/** Paths named in a sentence before "and 3 more". */
const NAMED_MAX = 2;

type Change = Pick<FileChange, 'deleted' | 'renamed' | 'folder' | 'openDeleted'>;

export function fileChangeSentence(who: string | null, change: Change): string {
  const { deleted, renamed, folder, openDeleted } = change;
  // The open file first: it is the one this person is reading.
  const paths = deleted.map((file) => file.path);
  const open = deleted.find((file) => file.id === openDeleted)?.path;
  if (open) paths.sort((a, b) => Number(b === open) - Number(a === open));
  const parts: string[] = [];
  if (deleted.length > 0) {
    const list = listOf(paths);
    parts.push(who ? `deleted ${list}` : `${list} ${deleted.length === 1 ? 'was' : 'were'} deleted`);
  }
  if (renamed.length > 0) parts.push(renameClause(who, renamed, folder));
  const sentence = `${who ? `${who} ` : ''}${parts.join(' and ')}.`;
  if (!open) return sentence;
  return `${sentence} ${deleted.length === 1 ? 'You had it open.' : `You had ${open} open.`}`;
}

function renameClause(
  who: string | null,
  renamed: FileChange['renamed'],
  folder: FileChange['folder'],
): string {
  const { verb, what, where } = renameWords(renamed, folder);
  if (who) return `${verb} ${what}${where}`;
  return `${what} ${renamed.length > 1 && where === '' ? 'were' : 'was'} ${verb}${where}`;
}

function renameWords(
  renamed: FileChange['renamed'],
  folder: FileChange['folder'],
): { verb: string; what: string; where: string } {
  if (renamed.length === 1) {
    const { from, to } = renamed[0]!;
    return { verb: baseName(from) === baseName(to) ? 'moved' : 'renamed', what: from, where: ` to ${to}` };
  }
  if (folder) return { verb: 'renamed', what: `the folder ${folder.from}`, where: ` to ${folder.to}` };
  return { verb: 'renamed', what: `${renamed.length} files`, where: '' };
}

function listOf(paths: readonly string[]): string {
  if (paths.length <= NAMED_MAX) return paths.join(' and ');
  const more = paths.length - NAMED_MAX;
  return `${paths.slice(0, NAMED_MAX).join(', ')} and ${more} more ${more === 1 ? 'file' : 'files'}`;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function runSentence(who: string, mode: RunMode, entry: string): string {
  return mode === RunMode.Terminal ? `${who} opened a terminal.` : `${who} ran ${entry}.`;
}

/** "Bob restored an earlier version of the files: 2 changed, 1 deleted." */
export function restoreSentence(
  who: string,
  counts: { created: number; deleted: number; changed: number },
): string {
  const parts = [
    counts.changed > 0 ? `${counts.changed} changed` : '',
    counts.created > 0 ? `${counts.created} brought back` : '',
    counts.deleted > 0 ? `${counts.deleted} deleted` : '',
  ].filter(Boolean);
  return `${who} restored an earlier version of the files${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`;
}

/** "Bob made a copy of this room." (a fork; `atSeq` > 0: from the history) */
export function forkSentence(who: string, atSeq: number): string {
  return atSeq > 0
    ? `${who} made a copy of this room as it was earlier.`
    : `${who} made a copy of this room.`;
}

export const joinedSentence = (who: string) => `${who} joined.`;
export const leftSentence = (who: string) => `${who} left.`;
