/** The room page's panel layout, and the moments a drawer gets out of the way by itself. */
import { useSignalEffect } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import type { RoomState } from '../room/roomState.js';
import { narrow } from './narrow.js';
import { PanelLayout } from './panels.js';

export function useRoomLayout(room: RoomState): PanelLayout {
  const layout = useMemo(() => new PanelLayout(), []);
  // A drawer belongs to the narrow window it was opened in; wide, the panels dock.
  useSignalEffect(() => {
    if (!narrow.value) layout.closeDrawer();
  });
  // On a phone the Files drawer is how one picks a file, and People how one
  // picks someone to follow: once picked, the editor is what they want to see.
  useSignalEffect(() => {
    if (room.active.value !== null && layout.drawer.peek() === 'files') layout.closeDrawer();
  });
  useSignalEffect(() => {
    if (room.following.value !== null && layout.drawer.peek() === 'people') layout.closeDrawer();
  });
  return layout;
}
