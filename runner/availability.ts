/**
 * Which languages this runner can serve right now: the Docker engine answers and
 * the language's image is present. Checked every CHECK_INTERVAL_MS, so a stopped
 * engine or a missing image turns into "language unavailable" at the relay within
 * about a second, and a restarted engine is picked up without restarting the runner.
 */
import type Docker from 'dockerode';
import { LANGUAGES, type LanguageId } from '../shared/languages.js';
import { resolveImage } from './languages.js';
import { withTimeout } from '../server/timeout.js';

export const CHECK_INTERVAL_MS = 1_000;
const CHECK_TIMEOUT_MS = 900;

export async function availableLanguages(docker: Docker): Promise<LanguageId[]> {
  try {
    await withTimeout(docker.ping(), CHECK_TIMEOUT_MS, 'Docker did not answer in time');
  } catch {
    return [];
  }
  const images = new Map<string, Promise<boolean>>();
  const present = (image: string) => {
    let found = images.get(image);
    if (!found) {
      found = withTimeout(
        docker.getImage(image).inspect(),
        CHECK_TIMEOUT_MS,
        'Docker did not answer in time',
      ).then(
        () => true,
        () => false,
      );
      images.set(image, found);
    }
    return found;
  };
  const checks = await Promise.all(
    LANGUAGES.map(async ({ id }) => {
      try {
        return (await present(resolveImage(id))) ? id : null;
      } catch {
        return null; // a misconfigured image reference serves nothing
      }
    }),
  );
  return checks.filter((id): id is LanguageId => id !== null);
}

/** Calls `onChange` with the available languages now and whenever they change. */
export function watchAvailability(docker: Docker, onChange: (languages: LanguageId[]) => void): () => void {
  return watch(
    () => availableLanguages(docker),
    (languages) => languages.join(),
    onChange,
  );
}

/** Calls `onChange` with whether `image` is present (and Docker answers), now and on every change. */
export function watchImage(docker: Docker, image: string, onChange: (present: boolean) => void): () => void {
  const present = () =>
    withTimeout(docker.getImage(image).inspect(), CHECK_TIMEOUT_MS, 'Docker did not answer in time').then(
      () => true,
      () => false,
    );
  return watch(present, String, onChange);
}

function watch<T>(
  read: () => Promise<T>,
  key: (value: T) => string,
  onChange: (value: T) => void,
): () => void {
  let last: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const check = async () => {
    const value = await read();
    if (stopped) return;
    if (key(value) !== last) {
      last = key(value);
      onChange(value);
    }
    timer = setTimeout(() => void check(), CHECK_INTERVAL_MS);
  };
  void check();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
