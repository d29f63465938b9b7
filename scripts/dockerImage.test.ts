/**
 * The Dockerfile, built and run as an operator would: the offline bases
 * (scripts/build-base-images), `docker build --target relay` and
 * `--target runner`, the relay container on the host's network listening on
 * 127.0.0.1 with its data on a named volume, and the runner container on the
 * host's Docker socket. Then: a room is created, two official y-websocket
 * clients sync through it, the container restarts and the room is intact, and
 * a run goes through the runner image. Both run as a non-root user and the
 * relay's HEALTHCHECK turns healthy.
 *
 * Builds take minutes the first time; Docker's layer cache makes later ones
 * quick unless package-lock.json changed.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile } from '../shared/schema/project.js';
import { connectSynced, request, textOf, waitConverged, waitFor, type Peer } from '../relay/test/clients.js';
import { createRoom, freePort } from '../relay/test/harness.js';
import { dockerAvailable, requireOrSkip } from './requireTool.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const skip = requireOrSkip('Docker', await dockerAvailable());
const TAG = `tandem-smoke-${process.pid}`;
const BUILD_TIMEOUT_MS = 20 * 60_000;

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 64 << 20, timeout: BUILD_TIMEOUT_MS });
  return stdout.trim();
}

describe.skipIf(skip)('the Docker image', () => {
  const relayName = `${TAG}-relay`;
  const runnerName = `${TAG}-runner`;
  const volume = `${TAG}-data`;
  const peers: Peer[] = [];
  let url = '';
  let wsUrl = '';

  beforeAll(async () => {
    await run(join(ROOT, 'scripts/build-base-images'), [], { timeout: BUILD_TIMEOUT_MS });
    for (const target of ['relay', 'runner'])
      await docker('build', '--network', 'host', '--target', target, '-t', `${TAG}:${target}`, ROOT);
    const [port, previewPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    wsUrl = `ws://127.0.0.1:${port}`;
    // The engine here has no bridge: the host's network, listening on loopback only.
    await docker(
      'run', '-d', '--name', relayName, '--network', 'host',
      '-e', 'HOST=127.0.0.1', '-e', `PORT=${port}`, '-e', `TANDEM_PREVIEW_PORT=${previewPort}`,
      '-v', `${volume}:/data`, `${TAG}:relay`,
    ); // prettier-ignore
    await waitFor(
      async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
      'the relay answers',
      60_000,
    );
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    await docker('rm', '-f', relayName, runnerName).catch(() => undefined);
    await docker('volume', 'rm', volume).catch(() => undefined);
    await docker('image', 'rm', `${TAG}:relay`, `${TAG}:runner`).catch(() => undefined);
  });

  it('runs as a non-root user, with its data on the volume, and turns healthy', async () => {
    expect(await docker('exec', relayName, 'id', '-u')).toBe('1000');
    expect(await docker('exec', relayName, 'sh', '-c', 'ls /data')).toMatch(/tandem\.sqlite/);
    await waitFor(
      async () => (await docker('inspect', '-f', '{{.State.Health.Status}}', relayName)) === 'healthy',
      'the HEALTHCHECK passes',
      60_000,
    );
  });

  it('two official y-websocket clients sync; after a restart of the container the room is intact', async () => {
    const room = await createRoom(url, { name: 'in a container' });
    const a = await connectSynced(wsUrl, room.roomId, room.token);
    const b = await connectSynced(wsUrl, room.roomId, room.token);
    peers.push(a, b);
    addFile(a.doc, 'hello.txt', 'typed in one client\n');
    await waitConverged([a.doc, b.doc]);
    expect(textOf(b.doc, 'hello.txt')).toBe('typed in one client\n');

    await docker('restart', relayName);
    await waitFor(
      async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
      'the relay is back',
      60_000,
    );
    const fresh = await connectSynced(wsUrl, room.roomId, room.token);
    peers.push(fresh);
    expect(textOf(fresh.doc, 'hello.txt')).toBe('typed in one client\n');
  });

  it('a run goes through the runner image, on the host’s Docker socket', async () => {
    const token = await docker('exec', relayName, 'cat', '/data/runner-token');
    const socketGroup = (await run('stat', ['-c', '%g', '/var/run/docker.sock'])).stdout.trim();
    await docker(
      'run', '-d', '--name', runnerName, '--network', 'host',
      '-e', `TANDEM_RELAY_URL=${url}`, '-e', `TANDEM_RUNNER_TOKEN=${token}`,
      '-e', `TANDEM_RUNNER_ID=${runnerName}`, '-e', 'TANDEM_WORKSPACES_MAX=0',
      '-v', '/var/run/docker.sock:/var/run/docker.sock', '--group-add', socketGroup,
      `${TAG}:runner`,
    ); // prettier-ignore
    expect(await docker('exec', runnerName, 'id', '-u')).toBe('1000');
    const room = await createRoom(url, { template: 'python' });
    let answer: { status: number; body: unknown } = { status: 0, body: null };
    await waitFor(
      async () => {
        answer = await request(`${url}/api/rooms/${room.roomId}/runs`, {
          method: 'POST',
          token: room.token,
          body: { language: 'python' },
        });
        return answer.status === 200;
      },
      'a run answered',
      60_000,
    );
    expect(answer.body).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect((answer.body as { stdout: string }).stdout).toMatch(/\S/);
  });
});
