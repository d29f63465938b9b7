/**
 * What the Run button runs: a language and an entry file. Until someone picks,
 * both follow the project: the document's meta language (else the open file's),
 * and the meta entry when its language matches, else the language's default entry
 * if the project has it, else the open file. A pick lasts while it still makes sense.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { defaultEntry, isLanguageId, type LanguageId } from '../../../shared/languages.js';
import { languageOf } from '../editor/languages.js';

/** Headers are never an entry file. */
const HEADER = /\.(h|hh|hpp|hxx)$/i;
const FALLBACK_LANGUAGE: LanguageId = 'python';

export interface ProjectView {
  /** Every text file's path. */
  paths: ReadonlySignal<string[]>;
  /** The file in front, if any. */
  openPath: ReadonlySignal<string | null>;
  metaLanguage: ReadonlySignal<string | null>;
  metaEntry: ReadonlySignal<string | null>;
}

export function languageOfPath(path: string): LanguageId | null {
  const id = languageOf(path);
  return isLanguageId(id) && !HEADER.test(path) ? id : null;
}

/** The project's files that can be an entry for `language`, sorted. */
export function entryCandidates(paths: readonly string[], language: LanguageId): string[] {
  return paths.filter((path) => languageOfPath(path) === language).sort((a, b) => a.localeCompare(b));
}

export function defaultLanguage(metaLanguage: string | null, openPath: string | null): LanguageId {
  if (isLanguageId(metaLanguage)) return metaLanguage;
  return (openPath && languageOfPath(openPath)) || FALLBACK_LANGUAGE;
}

export function defaultEntryFor(
  language: LanguageId,
  paths: readonly string[],
  meta: { language: string | null; entry: string | null },
  openPath: string | null,
): string {
  const present = new Set(paths);
  if (meta.language === language && meta.entry && present.has(meta.entry)) return meta.entry;
  const standard = defaultEntry(language);
  if (present.has(standard)) return standard;
  if (openPath && languageOfPath(openPath) === language) return openPath;
  // No file fits: the first of the language, or the default name (the run then says it is missing).
  return entryCandidates(paths, language)[0] ?? standard;
}

export class RunTarget {
  /** Picked by this person; null follows the project. */
  readonly pickedLanguage = signal<LanguageId | null>(null);
  readonly pickedEntry = signal<string | null>(null);

  readonly language = computed<LanguageId>(
    () =>
      this.pickedLanguage.value ??
      defaultLanguage(this.project.metaLanguage.value, this.project.openPath.value),
  );
  readonly candidates = computed(() => entryCandidates(this.project.paths.value, this.language.value));
  readonly entry = computed<string>(() => {
    const picked = this.pickedEntry.value;
    const paths = this.project.paths.value;
    if (picked && paths.includes(picked) && languageOfPath(picked) === this.language.value) return picked;
    const meta = { language: this.project.metaLanguage.value, entry: this.project.metaEntry.value };
    return defaultEntryFor(this.language.value, paths, meta, this.project.openPath.value);
  });

  constructor(private readonly project: ProjectView) {}

  pickLanguage(id: string): void {
    if (!isLanguageId(id)) return;
    this.pickedLanguage.value = id;
    this.pickedEntry.value = null;
  }

  pickEntry(path: string): void {
    this.pickedEntry.value = path;
  }
}
