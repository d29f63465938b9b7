/** What every file-tree row shows: chevron, icon, name and a binary tag (the room's tree and the replay's). */
import { BinaryIcon, ChevronIcon, FileIcon, FolderIcon } from '../ui/icons.js';
import type { TreeNode } from './buildTree.js';

export function TreeRowLabel(props: { node: TreeNode; open: boolean }) {
  const { node, open } = props;
  const isFolder = node.kind === 'folder';
  return (
    <>
      {isFolder ? (
        <span class={`chevron${open ? ' open' : ''}`}>
          <ChevronIcon size={12} />
        </span>
      ) : (
        <span class="chevron" />
      )}
      {isFolder ? <FolderIcon size={14} /> : node.binary ? <BinaryIcon size={14} /> : <FileIcon size={14} />}
      <span class="tree-name">{node.name}</span>
      {!isFolder && node.binary && <span class="tag">binary</span>}
      {!isFolder && node.storedPath !== undefined && (
        <span
          class="tag clash"
          data-testid="clash"
          title={`Saved as “${node.storedPath}”, a name another file or folder also has: shown and run as “${node.name}” until someone renames it.`}
        >
          clash
        </span>
      )}
    </>
  );
}
