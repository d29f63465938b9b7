import { describe, expect, it } from 'vitest';
import { buildTree } from './buildTree.js';
import { treeMove, visibleRows } from './treeKeys.js';

const files = ['README.md', 'src/main.py', 'src/util/io.py', 'test.py'].map((path, i) => ({
  id: `f${i}`,
  path,
}));
const tree = buildTree(files);
const paths = (collapsed: Set<string>) => visibleRows(tree, collapsed).map((row) => row.path);

describe('tree keys', () => {
  it('lists the rows as shown, folders first, collapsed children left out', () => {
    expect(paths(new Set())).toEqual([
      'src',
      'src/util',
      'src/util/io.py',
      'src/main.py',
      'README.md',
      'test.py',
    ]);
    expect(paths(new Set(['src/util']))).toEqual(['src', 'src/util', 'src/main.py', 'README.md', 'test.py']);
    expect(paths(new Set(['src']))).toEqual(['src', 'README.md', 'test.py']);
  });

  it('moves up, down and to the ends, starting from nothing selected', () => {
    const open = new Set<string>();
    const rows = visibleRows(tree, open);
    expect(treeMove('ArrowDown', rows, '', open)).toEqual({ kind: 'select', path: 'src' });
    expect(treeMove('ArrowUp', rows, '', open)).toEqual({ kind: 'select', path: 'test.py' });
    expect(treeMove('ArrowDown', rows, 'src/main.py', open)).toEqual({ kind: 'select', path: 'README.md' });
    expect(treeMove('ArrowDown', rows, 'test.py', open)).toBeNull();
    expect(treeMove('ArrowUp', rows, 'src', open)).toBeNull();
    expect(treeMove('End', rows, 'src', open)).toEqual({ kind: 'select', path: 'test.py' });
    expect(treeMove('Home', rows, 'test.py', open)).toEqual({ kind: 'select', path: 'src' });
  });

  it('right opens a folder, then steps in; left closes it, then steps out', () => {
    const closed = new Set(['src']);
    expect(treeMove('ArrowRight', visibleRows(tree, closed), 'src', closed)).toEqual({
      kind: 'toggle',
      path: 'src',
    });
    const open = new Set<string>();
    const rows = visibleRows(tree, open);
    expect(treeMove('ArrowRight', rows, 'src', open)).toEqual({ kind: 'select', path: 'src/util' });
    expect(treeMove('ArrowRight', rows, 'README.md', open)).toBeNull();
    expect(treeMove('ArrowLeft', rows, 'src/util', open)).toEqual({ kind: 'toggle', path: 'src/util' });
    expect(treeMove('ArrowLeft', rows, 'src/util/io.py', open)).toEqual({ kind: 'select', path: 'src/util' });
    expect(treeMove('ArrowLeft', rows, 'README.md', open)).toBeNull();
    expect(treeMove('Enter', rows, 'test.py', open)).toMatchObject({
      kind: 'activate',
      node: { path: 'test.py' },
    });
    expect(treeMove('x', rows, 'test.py', open)).toBeNull();
  });
});
