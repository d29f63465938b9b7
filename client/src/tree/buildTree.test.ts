import { describe, expect, it } from 'vitest';
import { buildTree, type TreeNode } from './buildTree.js';

const names = (nodes: TreeNode[]): unknown[] =>
  nodes.map((n) => (n.kind === 'folder' ? { [n.name]: names(n.children) } : n.name));

describe('buildTree', () => {
  it('nests by path, folders first, names in natural order', () => {
    const tree = buildTree(
      [
        { id: 'a', path: 'main.py' },
        { id: 'b', path: 'src/util.py' },
        { id: 'c', path: 'src/lib/x10.py' },
        { id: 'd', path: 'src/lib/x9.py' },
        { id: 'e', path: 'README' },
      ],
      ['docs', 'src/empty'],
    );
    expect(names(tree.children)).toEqual([
      { docs: [] },
      { src: [{ empty: [] }, { lib: ['x9.py', 'x10.py'] }, 'util.py'] },
      'main.py',
      'README',
    ]);
  });

  it('keeps the folder path on every folder node', () => {
    const tree = buildTree([{ id: 'a', path: 'a/b/c.txt' }]);
    const a = tree.children[0]!;
    expect(a.kind === 'folder' && a.children[0]!.path).toBe('a/b');
  });
});
