/**
 * Keyboard moves in the file tree (the WAI-ARIA tree pattern): up and down
 * through the rows as shown, right opens a folder or steps into it, left closes
 * it or steps out to the parent, Home and End jump to the ends.
 */
import type { FolderNode, TreeNode } from './buildTree.js';

/** The rows as shown, top to bottom: children of collapsed folders left out. */
export function visibleRows(root: FolderNode, collapsed: ReadonlySet<string>): TreeNode[] {
  const rows: TreeNode[] = [];
  const walk = (nodes: readonly TreeNode[]) => {
    for (const node of nodes) {
      rows.push(node);
      if (node.kind === 'folder' && !collapsed.has(node.path)) walk(node.children);
    }
  };
  walk(root.children);
  return rows;
}

export type TreeMove =
  | { kind: 'select'; path: string }
  | { kind: 'toggle'; path: string }
  | { kind: 'activate'; node: TreeNode }
  | null;

/** What `key` does with `current` (a path, '' for none) selected. */
export function treeMove(
  key: string,
  rows: readonly TreeNode[],
  current: string,
  collapsed: ReadonlySet<string>,
): TreeMove {
  if (rows.length === 0) return null;
  const at = rows.findIndex((row) => row.path === current);
  const node = at >= 0 ? rows[at]! : null;
  const select = (row: TreeNode | undefined): TreeMove => (row ? { kind: 'select', path: row.path } : null);
  switch (key) {
    case 'ArrowDown':
      return select(node ? rows[at + 1] : rows[0]);
    case 'ArrowUp':
      return select(node ? rows[at - 1] : rows[rows.length - 1]);
    case 'Home':
      return select(rows[0]);
    case 'End':
      return select(rows[rows.length - 1]);
    case 'ArrowRight':
      if (node?.kind !== 'folder') return null;
      if (collapsed.has(node.path)) return { kind: 'toggle', path: node.path };
      return select(node.children[0]);
    case 'ArrowLeft': {
      if (!node) return null;
      if (node.kind === 'folder' && !collapsed.has(node.path)) return { kind: 'toggle', path: node.path };
      const slash = node.path.lastIndexOf('/');
      return slash > 0 ? { kind: 'select', path: node.path.slice(0, slash) } : null;
    }
    case 'Enter':
      return node ? { kind: 'activate', node } : null;
    default:
      return null;
  }
}
