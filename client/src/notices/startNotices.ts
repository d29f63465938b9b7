/**
 * Short notices of what others in the room did: deleted or renamed files (with
 * Undo), joined or left, started a run, restored an earlier version. They stack in a corner (ui/toast.tsx)
 * and never take the focus. Returns the stop, which also takes down this
 * room's notices: their Undo belongs to its document.
 */
import type { RoomState } from '../room/roomState.js';
import { dismissToast, toast, type ToastOptions } from '../ui/toast.js';
import { watchFileNotices } from './fileNotices.js';
import { watchPresence } from './presenceNotices.js';
import { watchRoomEvents } from './eventNotices.js';

export function startNotices(room: RoomState): () => void {
  const shown = new Set<number>();
  const say = (text: string, options: ToastOptions = {}) => {
    const id = toast(text, 'notice', {
      ...options,
      onClose: () => {
        shown.delete(id!);
        options.onClose?.();
      },
    });
    // Null: the same sentence is already up, and this one closes at once.
    if (id === null) options.onClose?.();
    else shown.add(id);
  };
  const stops = [
    watchFileNotices(room, say),
    watchPresence(room.peerWire.roster, say),
    watchRoomEvents(room.conn, say),
  ];
  return () => {
    for (const id of shown) dismissToast(id);
    for (const stop of stops) stop();
  };
}
