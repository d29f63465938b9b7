/** A binary file is kept and synced but never opened as text: say what it is, offer it for download. */
import { readBinary } from '../../../shared/schema/binary.js';
import { formatBytes } from '../lib/format.js';
import { basename } from '../room/files.js';
import type { RoomState } from '../room/roomState.js';
import { saveBytes } from '../room/transfer.js';
import { BinaryIcon, DownloadIcon } from '../ui/icons.js';

export function BinaryView(props: { room: RoomState; id: string; path: string; size: number }) {
  const download = () => {
    const bytes = readBinary(props.room.conn.doc, props.id);
    if (bytes) saveBytes(basename(props.path), bytes);
  };
  return (
    <div class="editor-empty binary-view" data-testid="binary-view">
      <BinaryIcon size={32} />
      <strong>{basename(props.path)}</strong>
      <span class="muted">Binary file · {formatBytes(props.size)} · not shown in the editor</span>
      <button class="button small" onClick={download}>
        <DownloadIcon size={14} /> Download
      </button>
    </div>
  );
}
