/** Who may do what in a room. Authority is the relay's token check, never the document. */
export const Role = {
  Owner: 'owner',
  Editor: 'editor',
  /** An interview room's second interviewer: edits and reads the private notes, manages nothing. */
  Interviewer: 'interviewer',
  Viewer: 'viewer',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);
const ROLE_SET = new Set<string>(ROLES);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLE_SET.has(value);
}

/** May send document updates. */
export function canEdit(role: Role): boolean {
  return role === Role.Owner || role === Role.Editor || role === Role.Interviewer;
}

/** May mint tokens and change the room's settings. */
export function canManage(role: Role): boolean {
  return role === Role.Owner;
}

/** May open an interview room's private notes (a candidate, an editor, never can). */
export function canReadNotes(role: Role): boolean {
  return role === Role.Owner || role === Role.Interviewer;
}
