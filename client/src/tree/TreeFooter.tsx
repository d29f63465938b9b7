/** Below the tree: upload files or a whole folder, download the project as a zip, and a file count. */
import { useRef } from 'preact/hooks';
import type { RoomState } from '../room/roomState.js';
import { projectZip, saveBytes } from '../room/transfer.js';
import { DownloadIcon, UploadFolderIcon, UploadIcon } from '../ui/icons.js';

export function TreeFooter(props: { room: RoomState; onUpload: (files: File[]) => void }) {
  const { room } = props;
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const pick = (e: Event) => {
    const target = e.currentTarget as HTMLInputElement;
    const files = [...(target.files ?? [])];
    target.value = '';
    if (files.length > 0) props.onUpload(files);
  };
  const count = room.files.value.length;
  const download = () => {
    const name =
      (room.roomName.value || 'project').replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '') || 'project';
    saveBytes(`${name}.zip`, projectZip(room.conn.doc), 'application/zip');
  };
  return (
    <div class="tree-footer">
      <span class="muted">
        {count} file{count === 1 ? '' : 's'}
      </span>
      <span class="spacer" />
      {room.conn.canEdit && (
        <>
          <input ref={input} type="file" multiple hidden data-testid="upload-input" onChange={pick} />
          <input
            ref={folderInput}
            type="file"
            hidden
            data-testid="upload-folder-input"
            {...{ webkitdirectory: true }}
            onChange={pick}
          />
          <button
            class="icon-button"
            title="Upload files"
            aria-label="Upload files"
            onClick={() => input.current?.click()}
          >
            <UploadIcon />
          </button>
          <button
            class="icon-button"
            title="Upload a folder (keeps its structure)"
            aria-label="Upload a folder"
            onClick={() => folderInput.current?.click()}
          >
            <UploadFolderIcon />
          </button>
        </>
      )}
      <button
        class="icon-button"
        title="Download the project as a zip"
        aria-label="Download zip"
        disabled={count === 0}
        onClick={download}
      >
        <DownloadIcon />
      </button>
    </div>
  );
}
