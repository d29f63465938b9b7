/** One row of the file tree: a folder (with its children) or a file. */
import type { RoomState } from '../room/roomState.js';
import { PeerDots } from '../presence/PeerDots.js';
import { PencilIcon, TrashIcon } from '../ui/icons.js';
import type { TreeNode } from './buildTree.js';
import { NameInput } from './NameInput.js';
import { TreeRowLabel } from './TreeRowLabel.js';

export type Editing =
  { kind: 'new-file' | 'new-folder'; parent: string } | { kind: 'rename'; node: TreeNode } | null;

export interface TreeActions {
  room: RoomState;
  canEdit: boolean;
  collapsed: Set<string>;
  toggle(path: string): void;
  /** The row in the tab order (roving focus: arrow keys move it). */
  focusPath: string;
  editing: Editing;
  setEditing(editing: Editing): void;
  commit(name: string): void;
  remove(node: TreeNode): void;
  drop(source: string, targetFolder: string): void;
  select(path: string): void;
  selected: string;
}

export const DRAG_TYPE = 'application/x-tandem-path';

export function TreeRow(props: { node: TreeNode; depth: number; actions: TreeActions }) {
  const { node, depth, actions } = props;
  const { editing } = actions;
  if (editing?.kind === 'rename' && editing.node.path === node.path) {
    return (
      <NameInput
        initial={node.name}
        depth={depth}
        onCommit={actions.commit}
        onCancel={() => actions.setEditing(null)}
      />
    );
  }
  const isFolder = node.kind === 'folder';
  const open = isFolder && !actions.collapsed.has(node.path);
  const active = !isFolder && actions.room.active.value === node.id;
  const folderTarget = isFolder ? node.path : node.path.slice(0, Math.max(0, node.path.lastIndexOf('/')));
  return (
    <li role="treeitem" aria-expanded={isFolder ? open : undefined} aria-selected={active}>
      <div
        class={`tree-row${active ? ' active' : ''}${actions.selected === node.path ? ' selected' : ''}`}
        style={{ paddingLeft: `${8 + depth * 14}px` }}
        draggable={actions.canEdit}
        tabIndex={actions.focusPath === node.path ? 0 : -1}
        data-path={node.path}
        data-kind={node.kind}
        onDragStart={(e) => e.dataTransfer?.setData(DRAG_TYPE, node.path)}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes(DRAG_TYPE)) e.preventDefault();
        }}
        onDrop={(e) => {
          const source = e.dataTransfer?.getData(DRAG_TYPE);
          if (!source) return;
          e.preventDefault();
          e.stopPropagation();
          actions.drop(source, folderTarget);
        }}
        onClick={() => {
          actions.select(node.path);
          if (isFolder) actions.toggle(node.path);
          else actions.room.open(node.id);
        }}
        onDblClick={() => actions.canEdit && actions.setEditing({ kind: 'rename', node })}
      >
        <TreeRowLabel node={node} open={open} />
        {!isFolder && <PeerDots room={actions.room} fileId={node.id} />}
        {actions.canEdit && (
          <span class="row-actions">
            <button
              class="icon-button tiny"
              aria-label={`Rename ${node.name}`}
              onClick={(e) => {
                e.stopPropagation();
                actions.setEditing({ kind: 'rename', node });
              }}
            >
              <PencilIcon size={12} />
            </button>
            <button
              class="icon-button tiny"
              aria-label={`Delete ${node.name}`}
              onClick={(e) => {
                e.stopPropagation();
                actions.remove(node);
              }}
            >
              <TrashIcon size={12} />
            </button>
          </span>
        )}
      </div>
      {isFolder && open && (
        <ul role="group">
          {editing && editing.kind !== 'rename' && editing.parent === node.path && (
            <NameInput
              initial=""
              depth={depth + 1}
              onCommit={actions.commit}
              onCancel={() => actions.setEditing(null)}
            />
          )}
          {node.children.map((child) => (
            <TreeRow key={child.path} node={child} depth={depth + 1} actions={actions} />
          ))}
        </ul>
      )}
    </li>
  );
}
