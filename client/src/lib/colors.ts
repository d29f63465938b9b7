/**
 * Cursor colours: picked from the user id, so a person keeps their colour across
 * reloads and every browser shows them the same. A colour read from someone's
 * awareness state is used only if it is a plain hex colour (it ends up in CSS).
 */
export const PALETTE = [
  '#e5484d',
  '#f76b15',
  '#d6a30a',
  '#30a46c',
  '#12a594',
  '#0090ff',
  '#3e63dd',
  '#8e4ec6',
  '#d6409f',
  '#978365',
] as const;

export function colorFor(userId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 16777619);
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}

export function safeColor(value: unknown, fallbackId: string): string {
  return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value) ? value : colorFor(fallbackId);
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0]![0]! + words[1]![0]! : (words[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}
