/**
 * End-to-end tests drive the built client that the relay serves from client/dist.
 * Build it when it is missing or older than the sources, once at a time: test
 * files run in parallel and a second build would empty dist under the first.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLIENT_DIR = resolve(import.meta.dirname, '..');
const LOCK_DIR = join(tmpdir(), 'tandem-client-build.lock');
/** A lock older than this was left by a crashed build. */
const STALE_LOCK_MS = 120_000;
const LOCK_POLL_MS = 200;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'test' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The client bundles shared/ too: a change there makes the build stale as well. */
const SHARED_DIR = resolve(CLIENT_DIR, '../shared');

function isFresh(): boolean {
  const built = join(CLIENT_DIR, 'dist', 'index.html');
  const newest = Math.max(newestMtimeMs(CLIENT_DIR), newestMtimeMs(SHARED_DIR));
  return existsSync(built) && statSync(built).mtimeMs >= newest;
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      const age = Date.now() - (existsSync(LOCK_DIR) ? statSync(LOCK_DIR).mtimeMs : Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      await new Promise((done) => setTimeout(done, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

export async function ensureClientBuilt(): Promise<void> {
  if (isFresh()) return;
  await withLock(async () => {
    if (isFresh()) return;
    const { build } = await import('vite');
    // Vitest sets NODE_ENV=test, and Vite then builds with import.meta.env.PROD
    // false (no service worker, dev-only paths): build exactly what `npm run build` does.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ root: CLIENT_DIR, logLevel: 'warn', mode: 'production' });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  });
}
