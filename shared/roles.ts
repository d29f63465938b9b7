/** Who may do what in a room. Authority is the relay's token check, never the document. */
export const Role = {
  Owner: 'owner',
  Editor: 'editor',
  Viewer: 'viewer',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

const ROLES = new Set<string>(Object.values(Role));

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.has(value);
}

/** May send document updates. */
export function canEdit(role: Role): boolean {
  return role === Role.Owner || role === Role.Editor;
}

/** May mint tokens and change the room's settings. */
export function canManage(role: Role): boolean {
  return role === Role.Owner;
}
