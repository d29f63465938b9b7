/**
 * `npm start`: build the client and the server bundles if they are stale,
 * start the relay, and the runner when a Docker engine is reachable, both as
 * plain JavaScript (`dist/server/*.mjs`, no TypeScript loader at run time).
 * `npm run dev`: the Vite dev server on 5173 with hot reload, proxying the
 * relay's paths, and a relay run from its sources, restarted on change.
 * Signals go to the children by PID; a relay that dies takes this process down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { buildServer, RELAY_BUNDLE, RUNNER_BUNDLE } from './buildServer.js';
import { dockerAvailable } from './requireTool.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLIENT_DIR = join(ROOT, 'client');
const DOCKER_SOCKET = '/var/run/docker.sock';
const DEV_PORT = 5173;
const FORCE_AFTER_MS = 1_000;
const DEV = process.argv.includes('--dev');
const relayPort = process.env.PORT ?? '8080';
const children = new Set<ChildProcess>();
let stopping = false;
let stoppingSince = 0;
let exitCode = 0;
let closeDevServer: (() => Promise<void>) | undefined;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function buildClientIfStale(): Promise<void> {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) return;
  const built = join(CLIENT_DIR, 'dist', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtimeMs(CLIENT_DIR)) return;
  console.log('[start] building the client (client/dist is missing or stale)');
  // In a child process: a build holds about a gigabyte while it runs, which this
  // process, alive as long as Tandem is, would otherwise keep.
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const code = await new Promise<number | null>((done) =>
    spawn(process.execPath, [vite, 'build', CLIENT_DIR, '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    })
      .on('error', () => done(1))
      .on('close', done),
  );
  if (code !== 0) throw new Error(`the client build failed (exit ${code})`);
}

async function startDevServer(): Promise<boolean> {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) return false;
  const { createServer } = await import('vite');
  const target = `http://127.0.0.1:${relayPort}`;
  const [sigterm, stdinEnd] = [process.listeners('SIGTERM'), process.stdin.listeners('end')];
  const server = await createServer({
    root: CLIENT_DIR,
    server: {
      port: DEV_PORT,
      strictPort: true,
      proxy: { '/api': target, '/healthz': target, '/yjs': { target, ws: true } },
    },
  });
  // Vite exits at once on SIGTERM or stdin end; our handler stops the relay first.
  for (const l of process.listeners('SIGTERM')) if (!sigterm.includes(l)) process.off('SIGTERM', l);
  for (const l of process.stdin.listeners('end'))
    if (!stdinEnd.includes(l)) process.stdin.off('end', l as () => void);
  await server.listen();
  closeDevServer = () => server.close();
  return true;
}

/** `docker info` answers, or the engine's socket answers a ping. */
async function dockerReachable(): Promise<boolean> {
  if (await dockerAvailable(5_000)) return true;
  if (!existsSync(DOCKER_SOCKET)) return false;
  return new Promise((done) => {
    const req = request({ socketPath: DOCKER_SOCKET, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

/**
 * Runs the built bundle, or in dev the sources through tsx (the relay watched);
 * its stdout lines are echoed and passed to `onLine`.
 */
function startChild(
  name: string,
  source: string,
  bundle: string,
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
) {
  const watched = DEV && name === 'relay';
  const args = DEV ? [...(watched ? ['--watch'] : []), '--import', 'tsx', join(ROOT, source)] : [bundle];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    console.log(line);
    onLine?.(line);
  });
  child.on('error', (error) => console.error(`[start] could not start the ${name}: ${error.message}`));
  child.on('close', (code, signal) => {
    children.delete(child);
    const how = signal ?? `code ${code}`;
    if (stopping) {
      // node --watch exits 128 + signal when stopped; that is a clean stop.
      if (code !== 0 && !watched) exitCode ||= code ?? 1;
      if (children.size === 0) void Promise.resolve(closeDevServer?.()).finally(() => process.exit(exitCode));
    } else if (name === 'relay') {
      console.error(`[start] the relay exited unexpectedly (${how}); stopping`);
      void shutdown('SIGTERM', code || 1);
    } else {
      console.error(`[start] the ${name} exited (${how}); the relay keeps running`);
    }
  });
}

/** Resolves with the relay's URL once it prints `{"event":"listening",...}`. */
function startRelay(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done) =>
    startChild('relay', 'relay/main.ts', RELAY_BUNDLE, env, (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string; port?: number };
        if (event.event === 'listening') done(event.url ?? `http://localhost:${event.port}`);
      } catch {
        // Not JSON: already echoed.
      }
    }),
  );
}

async function shutdown(signal: NodeJS.Signals, code = 0): Promise<void> {
  exitCode ||= code;
  if (stopping) {
    // A second Ctrl-C stops waiting; one signal delivered twice (to us and our group) does not.
    if (Date.now() - stoppingSince > FORCE_AFTER_MS) for (const child of children) child.kill('SIGKILL');
    return;
  }
  stopping = true;
  stoppingSince = Date.now();
  if (children.size === 0) {
    await closeDevServer?.();
    process.exit(exitCode);
  }
  console.log(`[start] ${signal}: stopping ${children.size} process(es)`);
  // SIGTERM is the relay's and runner's graceful stop (flush, then exit 0).
  for (const child of children) if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const env = { ...process.env, TANDEM_DATA_DIR: process.env.TANDEM_DATA_DIR ?? join(ROOT, 'data') };
const devServer = DEV && (await startDevServer());
if (!DEV) {
  await buildClientIfStale();
  await buildServer();
}
const relayUrl = await startRelay(env);
if (existsSync(join(ROOT, 'runner/main.ts'))) {
  if (await dockerReachable()) {
    // The runner builds the sandbox images it lacks itself, with progress in the run panel.
    startChild('runner', 'runner/main.ts', RUNNER_BUNDLE, { ...env, TANDEM_RELAY_URL: relayUrl });
  } else console.warn('[start] no Docker engine reachable: code runs are disabled (see scripts/docker-up)');
}
const uiPort = devServer ? DEV_PORT : new URL(relayUrl).port || relayPort;
console.log(`\n  Tandem is running: http://localhost:${uiPort}${devServer ? ' (Vite dev server)' : ''}\n`);
