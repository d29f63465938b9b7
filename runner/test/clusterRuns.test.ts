/**
 * Runs across relays sharing rooms: three relay processes on a real Redis and
 * PostgreSQL, real runners on a real Docker engine dialing some of them. A
 * run started by someone on a relay without runners is executed by another
 * relay's runner, with the room's secrets opened there (they never cross
 * Redis); its output reaches people on every relay; input typed by someone
 * on a third relay reaches the program; it is stored once. A relay killed
 * (kill -9) while its runner executes another relay's run ends that run with
 * a sentence saying so; the room's next run goes to a relay still there. A
 * run whose own relay is killed is stopped where it executes.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/protocol/codec.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, RunMode } from '../../shared/protocol/table.js';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { RawClient, health, isTandem, request, waitFor, yjsUrl } from '../../relay/test/clients.js';
import { skipCluster, startCluster, type Cluster } from '../../relay/test/cluster.js';
import {
  createRoom,
  mintToken,
  startRunner,
  type RelayProcess,
  type RunnerProcess,
} from '../../relay/test/harness.js';
import { runFrames, setMain, stdoutOf, waitExit } from '../../relay/test/runs.js';

const skip = requireOrSkip('docker', await dockerAvailable()) || skipCluster();
const SECRET = 'cluster-canary-5d1e-secret';
const SECRET_HASH = createHash('sha256').update(SECRET).digest('hex');

describe.skipIf(skip)('runs across relays', () => {
  let cluster: Cluster;
  let relays: RelayProcess[];
  const runners: RunnerProcess[] = [];
  const clients: RawClient[] = [];

  const connect = async (relay: RelayProcess, roomId: string, token: string) => {
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, token));
    clients.push(client);
    await client.helloAndSync();
    return client;
  };
  const runnable = (relay: RelayProcess) =>
    waitFor(
      async () => {
        const { body } = await request(`${relay.url}/api/runners`);
        return (body as { languages: { id: string; available: boolean }[] }).languages.some(
          (l) => l.id === 'python' && l.available,
        );
      },
      'python runnable through this relay',
      20_000,
    );
  const start = (client: RawClient, runId: string) =>
    client.send(
      encode({ type: MessageType.RunStart, runId, language: 'python', entry: '', mode: RunMode.Batch }),
    );

  beforeAll(async () => {
    // No start-up wait: a relay with no runner of its own must not hold a run for one.
    cluster = await startCluster(3, { TANDEM_RUNNER_STARTUP_WAIT_MS: '0' });
    relays = cluster.relays;
    runners.push(await startRunner(relays[0]!, { TANDEM_RUNNER_POOL_SIZE: '1' }));
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const runner of runners) await runner.stop();
    await cluster?.stop();
  });

  it('a run started on relay 2 runs on relay 1’s runner, with its secret, for people on all three; input from relay 3 reaches it', async () => {
    const room = await createRoom(relays[0]!.url, { template: 'python', name: 'runs across relays' });
    const put = await request(`${relays[0]!.url}/api/rooms/${room.roomId}/env/API_KEY`, {
      method: 'PUT',
      token: room.token,
      body: { value: SECRET },
    });
    expect(put.status).toBe(204);
    const starter = await connect(relays[1]!, room.roomId, room.token);
    const typist = await connect(relays[2]!, room.roomId, room.token);
    const viewerToken = await mintToken(relays[0]!.url, room.roomId, room.token, {
      role: 'viewer',
      name: 'Vic',
    });
    const viewer = await RawClient.connect(yjsUrl(relays[0]!.wsUrl, room.roomId, viewerToken));
    clients.push(viewer);
    await viewer.hello();
    await runnable(relays[1]!);
    // The program names the secret only by its hash: its source crosses Redis, the secret must not.
    await setMain(
      starter,
      'import hashlib, os\nprint("secret", hashlib.sha256(os.environ.get("API_KEY", "").encode()).hexdigest(), flush=True)\nprint("got", input(), flush=True)\n',
    );

    // Everything Redis is asked to do meanwhile (MONITOR), to show the secret never crosses it.
    const redis = new Redis(cluster.redis.url);
    const monitor = await redis.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));
    start(starter, 'across-1');
    await waitFor(
      () => stdoutOf(viewer, 'across-1').includes(`secret ${SECRET_HASH}`),
      'the first line on relay 1',
    );
    expect((await health(relays[0]!.url)).body.cluster).toMatchObject({ runsHosted: 1 });
    expect((await health(relays[1]!.url)).body.cluster).toMatchObject({ runsAway: 1 });
    // A viewer on relay 1 may not stop it: refused there, before anything crosses to relay 2.
    viewer.send(encode({ type: MessageType.RunStop, runId: 'across-1' }));
    const refused = await viewer.waitForFrame(isTandem(MessageType.Error), 'the viewer’s stop refused');
    expect(refused.message.code).toBe(ErrorCode.ReadOnly);
    typist.send(
      encode({
        type: MessageType.RunInput,
        runId: 'across-1',
        bytes: new TextEncoder().encode('typed on relay 3\n'),
        eof: true,
      }),
    );
    for (const client of [starter, typist, viewer]) {
      expect(await waitExit(client, 'across-1')).toMatchObject({ code: 0, reason: 'exited' });
      expect(stdoutOf(client, 'across-1')).toBe(`secret ${SECRET_HASH}\ngot typed on relay 3\n`);
      expect(runFrames(client, 'across-1').filter((m) => m.type === MessageType.RunStarted)).toHaveLength(1);
    }
    // The secret's value never crossed Redis: the job went without its environment.
    monitor.disconnect();
    redis.disconnect();
    expect(commands.some((command) => command.includes('tandem:relay:'))).toBe(true);
    expect(commands.join('\n')).not.toContain(SECRET);
    // Stored once, by the relay the run belongs to; readable from any.
    const stored = await request(`${relays[2]!.url}/api/rooms/${room.roomId}/runs`, { token: room.token });
    expect((stored.body as { runId: string }[]).filter((r) => r.runId === 'across-1')).toHaveLength(1);
    expect((await health(relays[0]!.url)).body.cluster).toMatchObject({ runsHosted: 0 });
  });

  it('two rooms whose runs have the same id, one run here and one from another relay, never touch each other', async () => {
    const here = await createRoom(relays[0]!.url, { template: 'python', name: 'same id here' });
    const there = await createRoom(relays[0]!.url, { template: 'python', name: 'same id there' });
    const local = await connect(relays[0]!, here.roomId, here.token);
    const remote = await connect(relays[1]!, there.roomId, there.token);
    await runnable(relays[1]!);
    const echo = 'print("ready", flush=True)\nprint("got", input(), flush=True)\n';
    await setMain(local, echo);
    await setMain(remote, echo);
    start(local, 'same-id');
    await waitFor(() => stdoutOf(local, 'same-id').includes('ready'), 'the run here under way');
    start(remote, 'same-id');
    await waitFor(() => stdoutOf(remote, 'same-id').includes('ready'), 'the run from relay 2 under way');
    const type = (client: RawClient, text: string) =>
      client.send(
        encode({
          type: MessageType.RunInput,
          runId: 'same-id',
          bytes: new TextEncoder().encode(`${text}\n`),
          eof: true,
        }),
      );
    type(remote, 'for the room on relay 2');
    expect(await waitExit(remote, 'same-id')).toMatchObject({ code: 0 });
    expect(stdoutOf(remote, 'same-id')).toBe('ready\ngot for the room on relay 2\n');
    // The run here never saw that input: it still waits for its own.
    expect(stdoutOf(local, 'same-id')).toBe('ready\n');
    type(local, 'for the room here');
    expect(await waitExit(local, 'same-id')).toMatchObject({ code: 0 });
    expect(stdoutOf(local, 'same-id')).toBe('ready\ngot for the room here\n');
  });

  it('the relay executing a run is killed: the run ends saying so, and the next run finds a relay still there', async () => {
    runners.push(await startRunner(relays[2]!, { TANDEM_RUNNER_POOL_SIZE: '1' }));
    const room = await createRoom(relays[1]!.url, { template: 'python', name: 'doomed run' });
    const starter = await connect(relays[1]!, room.roomId, room.token);
    await runnable(relays[1]!);
    await setMain(starter, 'import time\nprint("started", flush=True)\ntime.sleep(60)\n');
    start(starter, 'doomed');
    await waitFor(() => stdoutOf(starter, 'doomed').includes('started'), 'the run under way');
    const hosts = await Promise.all(
      [0, 2].map(async (i) => ({ i, hosted: (await health(relays[i]!.url)).body.cluster?.runsHosted ?? 0 })),
    );
    const host = hosts.find((h) => h.hosted === 1)!;
    await relays[host.i]!.kill9();
    const exit = await waitExit(starter, 'doomed');
    expect(exit).toMatchObject({
      reason: 'error',
      message: expect.stringMatching(/relay running it went away/),
    });

    await setMain(starter, 'print("after", flush=True)\n');
    start(starter, 'after');
    expect(await waitExit(starter, 'after')).toMatchObject({ code: 0 });
    expect(stdoutOf(starter, 'after')).toBe('after\n');
  });

  it('the relay a run belongs to is killed: the relay executing it stops it', async () => {
    const room = await createRoom(relays[1]!.url, { template: 'python', name: 'orphaned run' });
    const starter = await connect(relays[1]!, room.roomId, room.token);
    await runnable(relays[1]!);
    await setMain(starter, 'import time\nwhile True:\n    print("tick", flush=True)\n    time.sleep(0.2)\n');
    start(starter, 'orphaned');
    await waitFor(() => stdoutOf(starter, 'orphaned').includes('tick'), 'the run under way');
    const alive = relays.filter(
      (relay, i) => i !== 1 && relay.child.exitCode === null && relay.child.signalCode === null,
    );
    const hosted = async () =>
      (
        await Promise.all(alive.map(async (relay) => (await health(relay.url)).body.cluster?.runsHosted ?? 0))
      ).reduce((a, b) => a + b, 0);
    expect(await hosted()).toBe(1);
    await relays[1]!.kill9();
    // Its next line finds nobody to go to: the run is stopped, its slot free again.
    await waitFor(async () => (await hosted()) === 0, 'the orphaned run stopped', 20_000);
  });
});
