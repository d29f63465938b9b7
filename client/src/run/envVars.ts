/**
 * The relay's rules for a room's environment variables (shared/protocol/api.ts),
 * checked here first so a bad name gets a sentence beside its field instead of a
 * round trip. The relay stays the authority.
 */
import { ENV_NAME_MAX_CHARS, ENV_NAME_PATTERN, ENV_VALUE_MAX_CHARS } from '../../../shared/protocol/api.js';

export { ENV_NAME_MAX_CHARS, ENV_NAME_PATTERN, ENV_VALUE_MAX_CHARS };

/** Why `name` cannot be a variable's name, in a sentence; null when it can. */
export function envNameProblem(name: string): string | null {
  if (name === '') return 'Give the variable a name.';
  if (ENV_NAME_PATTERN.test(name)) return null;
  if (name.length > ENV_NAME_MAX_CHARS) return `A name is at most ${ENV_NAME_MAX_CHARS} characters.`;
  if (/^[0-9]/.test(name)) return 'A name cannot start with a digit.';
  return 'Use only letters, digits and _ (no spaces, dashes or dots).';
}

/** Why `value` cannot be stored, in a sentence; null when it can. */
export function envValueProblem(value: string): string | null {
  return value.length > ENV_VALUE_MAX_CHARS ? 'A value is at most 32 KiB (32,768 characters).' : null;
}

/** The relay's lower-case reason as a sentence for the dialog. */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
