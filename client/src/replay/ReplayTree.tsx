/** The project's files at the replay's moment, read-only: pick one to show it (and stop following edits). */
import { useMemo, useState } from 'preact/hooks';
import { buildTree, type TreeNode } from '../tree/buildTree.js';
import { TreeRowLabel } from '../tree/TreeRowLabel.js';
import type { ReplaySession } from './replaySession.js';

export function ReplayTree(props: { session: ReplaySession }) {
  const { session } = props;
  const files = session.files.value;
  const tree = useMemo(() => buildTree(files), [files]);
  const [collapsed, setCollapsed] = useState(() => new Set<string>());
  const toggle = (path: string) => {
    const next = new Set(collapsed);
    if (!next.delete(path)) next.add(path);
    setCollapsed(next);
  };
  const shown = session.shownFile.value?.id ?? null;
  const row = (node: TreeNode, depth: number) => {
    const isFolder = node.kind === 'folder';
    const open = isFolder && !collapsed.has(node.path);
    const active = !isFolder && node.id === shown;
    return (
      <li key={node.path} role="treeitem" aria-expanded={isFolder ? open : undefined} aria-selected={active}>
        <div
          class={`tree-row${active ? ' active' : ''}`}
          style={{ paddingLeft: `${8 + depth * 14}px` }}
          data-path={node.path}
          data-kind={node.kind}
          onClick={() => (isFolder ? toggle(node.path) : (session.picked.value = node.id))}
        >
          <TreeRowLabel node={node} open={open} />
        </div>
        {isFolder && open && <ul role="group">{node.children.map((child) => row(child, depth + 1))}</ul>}
      </li>
    );
  };
  return (
    <div class="tree">
      <div class="panel-title tree-title">
        <span>Files then</span>
      </div>
      <ul class="tree-root" role="tree" data-testid="replay-tree">
        {files.length === 0 && <li class="muted replay-note">No files at this moment.</li>}
        {tree.children.map((node) => row(node, 0))}
      </ul>
    </div>
  );
}
