import { describe, expect, it } from 'vitest';
import { RunMode } from '../../../shared/protocol/table.js';
import { fileChangeSentence, runSentence } from './sentences.js';

const deleted = (...paths: string[]) => paths.map((path, i) => ({ id: `f${i}`, path }));
const renamed = (...pairs: [string, string][]) => pairs.map(([from, to], i) => ({ id: `r${i}`, from, to }));
const change = (parts: {
  deleted?: ReturnType<typeof deleted>;
  renamed?: ReturnType<typeof renamed>;
  folder?: { from: string; to: string };
}) => ({
  deleted: parts.deleted ?? [],
  renamed: parts.renamed ?? [],
  folder: parts.folder ?? null,
  openDeleted: null as string | null,
});

describe('what a file notice says', () => {
  it('names who deleted what, the open file first, and says when you had it open', () => {
    expect(fileChangeSentence('Bob', change({ deleted: deleted('a.py') }))).toBe('Bob deleted a.py.');
    const open = { ...change({ deleted: deleted('a.py', 'b.py', 'c.py', 'd.py') }), openDeleted: 'f2' };
    expect(fileChangeSentence('Bob', open)).toBe(
      'Bob deleted c.py, a.py and 2 more files. You had c.py open.',
    );
    const single = { ...change({ deleted: deleted('a.py') }), openDeleted: 'f0' };
    expect(fileChangeSentence(null, single)).toBe('a.py was deleted. You had it open.');
    expect(fileChangeSentence(null, change({ deleted: deleted('a.py', 'b.py') }))).toBe(
      'a.py and b.py were deleted.',
    );
  });

  it('tells a rename from a move, and a folder rename from many renames', () => {
    expect(fileChangeSentence('Bob', change({ renamed: renamed(['a.py', 'b.py']) }))).toBe(
      'Bob renamed a.py to b.py.',
    );
    expect(fileChangeSentence(null, change({ renamed: renamed(['a.py', 'src/a.py']) }))).toBe(
      'a.py was moved to src/a.py.',
    );
    const folder = renamed(['src/a.py', 'lib/a.py'], ['src/b/c.py', 'lib/b/c.py']);
    expect(fileChangeSentence('Bob', change({ renamed: folder, folder: { from: 'src', to: 'lib' } }))).toBe(
      'Bob renamed the folder src to lib.',
    );
    const scattered = renamed(['a.py', 'x.py'], ['b.py', 'y.py']);
    expect(fileChangeSentence(null, change({ renamed: scattered }))).toBe('2 files were renamed.');
  });

  it('joins a deletion and a rename made together', () => {
    const both = change({ deleted: deleted('a.py'), renamed: renamed(['b.py', 'c.py']) });
    expect(fileChangeSentence('Bob', both)).toBe('Bob deleted a.py and renamed b.py to c.py.');
    expect(fileChangeSentence(null, both)).toBe('a.py was deleted and b.py was renamed to c.py.');
  });
});

describe('what a run notice says', () => {
  it('names the file run, or the terminal opened', () => {
    expect(runSentence('Bob', RunMode.Batch, 'main.py')).toBe('Bob ran main.py.');
    expect(runSentence('Bob', RunMode.Terminal, 'main.py')).toBe('Bob opened a terminal.');
  });
});
