/**
 * Builds what production runs: the relay and the runner as plain JavaScript
 * (no TypeScript loader at run time), in `dist/server/`. The relay is one
 * bundle with its libraries (better-sqlite3 is native, so it stays a
 * package): one module instead of a few hundred is about 10 MB less resident
 * memory at idle. The runner bundles only its own code (dockerode has native
 * optional parts). Takes well under a second; `npm start` and the benchmarks
 * call it, and it rebuilds only when a source is newer than the bundle.
 *
 *   node --import tsx scripts/buildServer.ts        (npm run build:server)
 */
import { build, type BuildOptions } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
export const SERVER_DIST = join(ROOT, 'dist/server');
export const RELAY_BUNDLE = join(SERVER_DIST, 'relay.mjs');
export const RUNNER_BUNDLE = join(SERVER_DIST, 'runner.mjs');
const SOURCES = ['shared', 'server', 'relay', 'runner'].map((dir) => join(ROOT, dir));

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ESM bundles of CommonJS packages call require(): give them one.
  banner: {
    js: "import { createRequire as __tandemRequire } from 'node:module';\nconst require = __tandemRequire(import.meta.url);",
  },
};

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'test') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function fresh(bundle: string): boolean {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return SOURCES.every((dir) => newestSourceMs(dir) <= built);
}

/** Builds the relay and runner bundles unless they are newer than every source. */
export async function buildServer(force = false): Promise<void> {
  if (!force && fresh(RELAY_BUNDLE) && fresh(RUNNER_BUNDLE)) return;
  await Promise.all([
    build({
      ...COMMON,
      entryPoints: [join(ROOT, 'relay/main.ts')],
      outfile: RELAY_BUNDLE,
      external: ['better-sqlite3'],
    }),
    build({
      ...COMMON,
      entryPoints: [join(ROOT, 'runner/main.ts')],
      outfile: RUNNER_BUNDLE,
      packages: 'external',
    }),
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  await buildServer(true);
  console.log(`built ${RELAY_BUNDLE} and ${RUNNER_BUNDLE} in ${Math.round(performance.now() - started)} ms`);
}
