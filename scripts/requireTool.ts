// Gates for tests that need a real Docker engine or Chromium. Locally a missing
// tool skips those tests with a loud warning; under CI=true it is an error,
// because CI must run everything (see DEVELOPERS.md).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

const DOCKER_INFO_TIMEOUT_MS = 10_000;
const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when `docker info` answers, i.e. a Docker engine is reachable. */
export function dockerAvailable(timeoutMs = DOCKER_INFO_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['info'], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error) => resolve(!error));
  });
}

/** True when the Docker engine has the OCI runtime `name` registered (`docker info`'s Runtimes). */
export function dockerRuntimeAvailable(name: string, timeoutMs = DOCKER_INFO_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['info', '--format', '{{json .Runtimes}}'],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout) => {
        if (error) return resolve(false);
        try {
          resolve(Object.keys(JSON.parse(stdout) as object).includes(name));
        } catch {
          resolve(false);
        }
      },
    );
  });
}

/** Debian's Chromium, for playwright-core's `executablePath`, or null when not installed. */
export function chromiumPath(): string | null {
  return existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : null;
}

/**
 * Returns whether tests needing `name` should be skipped, for `describe.skipIf(skip)`.
 * Throws when the tool is missing under CI=true.
 */
export function requireOrSkip(name: string, available: boolean): boolean {
  if (available) return false;
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required in CI (CI=true) but is not available; see DEVELOPERS.md`);
  }
  console.warn(
    `\n*** ${name} is not available: SKIPPING the tests that need it. ` +
      `They run (and fail without ${name}) under CI=true. See DEVELOPERS.md. ***\n`,
  );
  return true;
}
