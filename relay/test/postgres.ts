/**
 * A real PostgreSQL server for tests: Debian's `postgresql` binaries, a fresh
 * cluster in a temporary folder, listening on 127.0.0.1 on a free port (and a
 * socket folder of its own), started as a child of this process and stopped
 * by its PID. As root it runs as the `postgres` user (it refuses root).
 * Each test gets a database of its own (`database()`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './harness.js';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin folder, or null. */
export function postgresBin(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_ROOT, versions[0], 'bin') : null;
}

export interface PostgresServer {
  /** A connection string to the server's `postgres` database (as the superuser `tandem`). */
  url: string;
  /** A new, empty database; its connection string. */
  database(): Promise<string>;
  /** Drops a database made by `database()`. */
  drop(url: string): Promise<void>;
  /** Stops the server (a fast shutdown: connections are cut), keeping its data for `start`. */
  halt(): Promise<void>;
  /** Starts it again after `halt`, on the same port and data; resolves once it takes connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const root = mkdtempSync(join(tmpdir(), 'tandem-pg-'));
  const dataDir = join(root, 'data');
  const ids = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  if (ids) chownSync(root, ids.uid, ids.gid);
  execFileSync(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'tandem', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      stdio: 'ignore',
      ...ids,
    },
  );
  const port = await freePort();
  let child: ChildProcess;
  let exited: Promise<void>;
  let log = '';
  const launch = async () => {
    child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        root,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=200',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...ids },
    );
    child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const started = child;
    exited = new Promise<void>((done) => started.once('exit', () => done()));
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (attempt > 100 || child.exitCode !== null)
          throw new Error(`PostgreSQL did not start: ${log}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // fast shutdown
    await exited;
  };
  const url = `postgres://tandem@127.0.0.1:${port}/postgres`;
  await launch();
  let databases = 0;
  const admin = async <T>(body: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    async database() {
      const name = `t${process.pid}_${++databases}`;
      await admin((client) => client.query(`CREATE DATABASE ${name}`));
      return `postgres://tandem@127.0.0.1:${port}/${name}`;
    },
    async drop(databaseUrl) {
      const name = new URL(databaseUrl).pathname.slice(1);
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
    halt,
    start: launch,
    async stop() {
      await halt();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}
