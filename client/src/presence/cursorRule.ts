/**
 * Whose cursor and presence in a file are shown: people who may edit by the
 * room's settings. Open mode: everyone with an edit role; classroom mode: the
 * owner and the people the owner let edit; viewers never. (A navigator under
 * the driver timer keeps a cursor: they point at code while the driver types.)
 */
import { canEdit, Role } from '../../../shared/roles.js';
import { RoomMode, type RoomSettings } from '../../../shared/rooms.js';

export function showsCursor(settings: RoomSettings | null, person: { userId: string; role: Role }): boolean {
  if (!canEdit(person.role)) return false;
  if (settings?.mode !== RoomMode.Classroom) return true;
  return person.role === Role.Owner || settings.editors.includes(person.userId);
}
