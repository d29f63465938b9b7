/** Languages a run can use: id, display name, default entry file. Runners say which they serve. */
export const LANGUAGES = [
  { id: 'python', name: 'Python', entry: 'main.py' },
  { id: 'javascript', name: 'JavaScript', entry: 'main.js' },
  { id: 'typescript', name: 'TypeScript', entry: 'main.ts' },
  { id: 'go', name: 'Go', entry: 'main.go' },
  { id: 'rust', name: 'Rust', entry: 'main.rs' },
  { id: 'c', name: 'C', entry: 'main.c' },
  { id: 'cpp', name: 'C++', entry: 'main.cpp' },
  { id: 'java', name: 'Java', entry: 'Main.java' },
] as const;

export type LanguageId = (typeof LANGUAGES)[number]['id'];

export const LANGUAGE_IDS: readonly LanguageId[] = LANGUAGES.map((l) => l.id);
const IDS = new Set<string>(LANGUAGE_IDS);

export function isLanguageId(value: unknown): value is LanguageId {
  return typeof value === 'string' && IDS.has(value);
}

export function defaultEntry(language: LanguageId): string {
  return LANGUAGES.find((l) => l.id === language)!.entry;
}
