/** Turns the flat file list into a folder tree: folders first, then files, by name. */
import type { ProjectFile } from '../../../shared/schema/binary.js';

export interface FolderNode {
  kind: 'folder';
  name: string;
  path: string;
  children: TreeNode[];
}
export interface FileNode {
  kind: 'file';
  name: string;
  path: string;
  id: string;
  binary: boolean;
  /** Its stored path, when that clashes with another file or a folder and `path` is numbered. */
  storedPath?: string;
}
export type TreeNode = FolderNode | FileNode;

/** `extraFolders`: folders made in this browser that hold no file yet. */
export function buildTree(
  files: readonly (Pick<ProjectFile, 'id' | 'path' | 'storedPath'> & { kind?: ProjectFile['kind'] })[],
  extraFolders: readonly string[] = [],
) {
  const root: FolderNode = { kind: 'folder', name: '', path: '', children: [] };
  const folders = new Map<string, FolderNode>([['', root]]);
  const folderAt = (path: string): FolderNode => {
    const existing = folders.get(path);
    if (existing) return existing;
    const slash = path.lastIndexOf('/');
    const parent = folderAt(slash < 0 ? '' : path.slice(0, slash));
    const node: FolderNode = { kind: 'folder', name: path.slice(slash + 1), path, children: [] };
    parent.children.push(node);
    folders.set(path, node);
    return node;
  };
  for (const folder of extraFolders) folderAt(folder);
  for (const file of files) {
    const slash = file.path.lastIndexOf('/');
    const parent = folderAt(slash < 0 ? '' : file.path.slice(0, slash));
    const name = file.path.slice(slash + 1);
    parent.children.push({
      kind: 'file',
      name,
      path: file.path,
      id: file.id,
      binary: file.kind === 'binary',
      ...(file.storedPath === undefined ? {} : { storedPath: file.storedPath }),
    });
  }
  sortTree(root);
  return root;
}

function sortTree(folder: FolderNode): void {
  folder.children.sort((a, b) =>
    a.kind !== b.kind
      ? a.kind === 'folder'
        ? -1
        : 1
      : a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  for (const child of folder.children) if (child.kind === 'folder') sortTree(child);
}
