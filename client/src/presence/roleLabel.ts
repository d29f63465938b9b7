/** A role in words. An interview room calls its editor the candidate and its owner the host. */
import { Role } from '../../../shared/roles.js';
import { RoomKind } from '../../../shared/rooms.js';

export function roleLabel(role: Role, kind: RoomKind | undefined): string {
  if (kind === RoomKind.Interview) {
    switch (role) {
      case Role.Owner:
        return 'interviewer (host)';
      case Role.Editor:
        return 'candidate';
      case Role.Interviewer:
        return 'interviewer';
      case Role.Viewer:
        return 'observer';
    }
  }
  return role;
}
