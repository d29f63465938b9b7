/**
 * An interview room's private notes live in storage as a room of their own, under
 * an id no client can name: room ids never contain a dot, so no token and no
 * `/api/rooms/:roomId` route can reach `<roomId>.notes` directly.
 */
const NOTES_SUFFIX = '.notes';

export function notesRoomId(roomId: string): string {
  return `${roomId}${NOTES_SUFFIX}`;
}
