/**
 * docker-compose.yml (two relays, nginx, Redis, PostgreSQL, a runner) is a
 * valid Compose file: `docker-compose config` (Debian's docker-compose)
 * accepts it, and it has the parts README describes, wired to each other.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireOrSkip } from './requireTool.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const available = await run('docker-compose', ['version']).then(
  () => true,
  () => false,
);
const skip = requireOrSkip('docker-compose', available);

describe.skipIf(skip)('docker-compose.yml', () => {
  const compose = (...args: string[]) =>
    run('docker-compose', ['-f', resolve(ROOT, 'docker-compose.yml'), ...args], {
      cwd: ROOT,
      env: { ...process.env, POSTGRES_PASSWORD: 'compose-test' },
    });

  it('passes docker-compose config, with two relays on Redis and PostgreSQL behind a proxy, and a runner', async () => {
    const services = (await compose('config', '--services')).stdout.trim().split('\n').sort();
    expect(services).toEqual(['postgres', 'proxy', 'redis', 'relay1', 'relay2', 'runner']);
    const { stdout } = await compose('config');
    for (const relay of ['relay1', 'relay2']) {
      const block = stdout.slice(stdout.indexOf(`  ${relay}:`));
      expect(block).toMatch(/DATABASE_URL: postgres:\/\/tandem:compose-test@postgres:5432\/tandem/);
      expect(block).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
    }
  });

  it('refuses to start without a database password', async () => {
    await expect(
      run('docker-compose', ['-f', resolve(ROOT, 'docker-compose.yml'), 'config', '-q'], {
        cwd: ROOT,
        env: { ...process.env, POSTGRES_PASSWORD: '' },
      }),
    ).rejects.toThrow(/POSTGRES_PASSWORD/);
  });
});
