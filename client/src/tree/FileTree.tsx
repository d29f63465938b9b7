/** The project's files: create, rename, move (drag and drop), delete. */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  basename,
  createFile,
  createFolder,
  deleteFile,
  deleteFolder,
  dirname,
  FileOpError,
  joinPath,
  renameFile,
  renameFolder,
} from '../room/files.js';
import type { RoomState } from '../room/roomState.js';
import { uploadFiles } from '../room/transfer.js';
import { PlusFileIcon, PlusFolderIcon } from '../ui/icons.js';
import { confirmDialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import { buildTree, type TreeNode } from './buildTree.js';
import { DRAG_TYPE, TreeRow, type Editing, type TreeActions } from './TreeRow.js';
import { NameInput } from './NameInput.js';
import { TreeFooter } from './TreeFooter.js';
import { treeMove, visibleRows } from './treeKeys.js';

export function FileTree(props: { room: RoomState }) {
  const { room } = props;
  const { doc } = room.conn;
  const files = room.files.value;
  const folders = room.folders.value;
  const tree = useMemo(() => buildTree(files, folders), [files, folders]);
  const [collapsed, setCollapsed] = useState(() => new Set<string>());
  const [editing, setEditing] = useState<Editing>(null);
  const [selected, setSelected] = useState('');
  const canEdit = room.conn.canEdit;

  const run = (action: () => void) => {
    try {
      action();
      return true;
    } catch (error) {
      toast(error instanceof FileOpError ? error.message : 'That did not work.', 'error');
      return false;
    }
  };
  const isFolder = (path: string) =>
    path === '' || files.some((f) => f.path.startsWith(`${path}/`)) || folders.includes(path);
  const targetFolder = () => (isFolder(selected) ? selected : dirname(selected));

  const commit = (name: string) => {
    const current = editing;
    setEditing(null);
    if (!current) return;
    if (current.kind === 'rename') {
      const { node } = current;
      const to = joinPath(dirname(node.path), name);
      if (node.kind === 'file') run(() => renameFile(doc, node.id, to));
      else run(() => renameFolder(doc, node.path, to));
      return;
    }
    const path = joinPath(current.parent, name);
    if (current.kind === 'new-file') {
      run(() => {
        room.open(createFile(doc, path));
        room.focusEditor();
      });
    } else run(() => createFolder(doc, path));
  };

  const upload = async (list: File[]) => {
    const folder = targetFolder();
    const { added, errors } = await uploadFiles(doc, list, folder);
    for (const error of errors) toast(error, 'error');
    if (added.length === 1) room.open(added[0]!);
    else if (added.length > 1) toast(`Added ${added.length} files.`);
  };

  const remove = async (node: TreeNode) => {
    const what = node.kind === 'folder' ? `the folder ${node.path} and everything in it` : node.path;
    const body = `This deletes ${what} for everyone in the room.`;
    if (!(await confirmDialog({ title: `Delete ${node.path}?`, body, confirm: 'Delete', danger: true })))
      return;
    if (node.kind === 'file') deleteFile(doc, node.id);
    else deleteFolder(doc, node.path);
  };

  const drop = (source: string, target: string) => {
    if (dirname(source) === target || source === target) return;
    const to = joinPath(target, basename(source));
    const file = files.find((f) => f.path === source);
    if (file) run(() => renameFile(doc, file.id, to));
    else run(() => renameFolder(doc, source, to));
  };

  const toggle = (path: string) => {
    const next = new Set(collapsed);
    if (!next.delete(path)) next.add(path);
    setCollapsed(next);
  };
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  // Roving focus: one row is in the tab order (the selected one, else the first).
  const focusPath = rows.some((row) => row.path === selected) ? selected : (rows[0]?.path ?? '');
  const list = useRef<HTMLUListElement>(null);
  const [keyMoved, setKeyMoved] = useState(0);
  useLayoutEffect(() => {
    if (keyMoved === 0) return;
    const row = list.current?.querySelector<HTMLElement>(`.tree-row[data-path="${CSS.escape(focusPath)}"]`);
    row?.focus();
  }, [keyMoved]);

  const onKey = (e: KeyboardEvent) => {
    if (editing || !(e.target instanceof HTMLElement) || !e.target.classList.contains('tree-row')) return;
    // The focused row, not the last render's selection: a click's re-render may not have run yet.
    const current = e.target.dataset.path ?? focusPath;
    const node = rows.find((row) => row.path === current);
    if (canEdit && node && (e.key === 'F2' || e.key === 'Delete')) {
      e.preventDefault();
      if (e.key === 'F2') setEditing({ kind: 'rename', node });
      else void remove(node);
      return;
    }
    const move = treeMove(e.key, rows, current, collapsed);
    if (!move) return;
    e.preventDefault();
    if (move.kind === 'select') setSelected(move.path);
    else if (move.kind === 'toggle') toggle(move.path);
    else if (move.node.kind === 'folder') toggle(move.node.path);
    else {
      room.open(move.node.id);
      room.focusEditor();
      return;
    }
    setKeyMoved((n) => n + 1);
  };

  const actions: TreeActions = {
    room,
    canEdit,
    collapsed,
    toggle,
    focusPath,
    editing,
    setEditing,
    commit,
    remove,
    drop,
    select: setSelected,
    selected,
  };

  return (
    <div class="tree">
      <div class="panel-title tree-title">
        <span>Files</span>
        {canEdit && (
          <span class="tree-buttons">
            <button
              class="icon-button"
              title="New file"
              aria-label="New file"
              onClick={() => setEditing({ kind: 'new-file', parent: targetFolder() })}
            >
              <PlusFileIcon />
            </button>
            <button
              class="icon-button"
              title="New folder"
              aria-label="New folder"
              onClick={() => setEditing({ kind: 'new-folder', parent: targetFolder() })}
            >
              <PlusFolderIcon />
            </button>
          </span>
        )}
      </div>
      <ul
        class="tree-root"
        role="tree"
        aria-label="Files"
        ref={list}
        onKeyDown={onKey}
        onDragOver={(e) => {
          const types = e.dataTransfer?.types ?? [];
          if (types.includes(DRAG_TYPE) || (canEdit && types.includes('Files'))) e.preventDefault();
        }}
        onDrop={(e) => {
          e.preventDefault();
          const source = e.dataTransfer?.getData(DRAG_TYPE);
          if (source) drop(source, '');
          else if (canEdit && e.dataTransfer?.files.length) void upload([...e.dataTransfer.files]);
        }}
        onClick={(e) => e.target === e.currentTarget && setSelected('')}
      >
        {editing && editing.kind !== 'rename' && editing.parent === '' && (
          <NameInput initial="" depth={0} onCommit={commit} onCancel={() => setEditing(null)} />
        )}
        {tree.children.map((node) => (
          <TreeRow key={node.path} node={node} depth={0} actions={actions} />
        ))}
      </ul>
      <TreeFooter room={room} onUpload={(list) => void upload(list)} />
    </div>
  );
}
