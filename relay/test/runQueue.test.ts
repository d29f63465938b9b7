/**
 * Run dispatch without Docker: a scripted runner speaks the runner protocol over
 * a real socket and holds each job until the test finishes it, so the order in
 * which the relay hands out jobs is visible. Checks the capacity limit, rooms
 * taking turns, visible queue positions, the per-room queue cap, stop before
 * start, and a runner that breaks the protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient, readMetrics, waitFor, yjsUrl, type Frame } from './clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { decode, encode } from '../../shared/protocol/codec.js';
import {
  Direction,
  MessageType,
  PROTOCOL_VERSION,
  RunMode,
  type RunMessage,
  type RunnerJob,
  type RunnerToRelayMessage,
} from '../../shared/protocol/table.js';

const QUEUE_PER_ROOM = 2;
const METRICS_TOKEN = 'metrics-token-for-runs-test';

/** A runner that records jobs and ends them only when told. */
class ScriptedRunner {
  readonly jobs: RunnerJob[] = [];
  readonly stops: string[] = [];
  /** Input it received: run id and text. */
  readonly inputs: string[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const bytes = data as Buffer;
      const message = decode(
        Direction.RelayToRunner,
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
      if (message.type === MessageType.RunnerJob) this.jobs.push(message);
      if (message.type === MessageType.RunStop) this.stops.push(message.runId);
      if (message.type === MessageType.RunInput)
        this.inputs.push(
          `${message.runId}:${Buffer.from(message.bytes).toString()}${message.eof ? ':eof' : ''}`,
        );
    });
  }

  static async connect(relay: RelayProcess, capacity: number): Promise<ScriptedRunner> {
    const token = readFileSync(join(relay.dataDir, 'runner-token'), 'utf8').trim();
    const ws = new WebSocket(`${relay.wsUrl}/runner`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const runner = new ScriptedRunner(ws);
    runner.send({
      type: MessageType.RunnerHello,
      protocolVersion: PROTOCOL_VERSION,
      runnerId: 'scripted',
      capacity,
      languages: ['python'],
    });
    return runner;
  }

  send(message: RunnerToRelayMessage): void {
    this.ws.send(encode(message));
  }

  finish(runId: string, text = 'ok\n'): void {
    this.send({ type: MessageType.RunOutput, runId, stream: 0, bytes: Buffer.from(text) });
    this.send({
      type: MessageType.RunExit,
      runId,
      code: 0,
      signal: '',
      reason: 'exited',
      durationMs: 5,
      message: '',
    });
  }
}

function runFrames(client: RawClient): RunMessage[] {
  return client.frames
    .filter((f): f is Extract<Frame, { kind: 'run' }> => f.kind === 'run')
    .map((f) => f.message);
}

function exitOf(client: RawClient, runId: string) {
  return runFrames(client).find((m) => m.type === MessageType.RunExit && m.runId === runId);
}

describe('run queue and dispatch (scripted runner)', () => {
  let relay: RelayProcess;
  let runner: ScriptedRunner;
  let a: RawClient;
  let b: RawClient;

  beforeAll(async () => {
    relay = await startRelay({
      env: { TANDEM_RUN_QUEUE_PER_ROOM: String(QUEUE_PER_ROOM), TANDEM_METRICS_TOKEN: METRICS_TOKEN },
    });
    const roomA = await createRoom(relay.url, { template: 'python' });
    const roomB = await createRoom(relay.url, { template: 'python' });
    a = await RawClient.connect(yjsUrl(relay.wsUrl, roomA.roomId, roomA.token));
    b = await RawClient.connect(yjsUrl(relay.wsUrl, roomB.roomId, roomB.token));
    await a.hello();
    await b.hello();
    runner = await ScriptedRunner.connect(relay, 1);
    await waitFor(
      async () =>
        ((await (await fetch(`${relay.url}/api/runners`)).json()) as { runners: number }).runners === 1,
      'runner',
    );
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    runner?.ws.close();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  const start = (client: RawClient, runId: string) =>
    client.send(
      encode({
        type: MessageType.RunStart,
        runId,
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );

  it('holds jobs past capacity with a visible position, refuses past the room cap, and lets rooms take turns', async () => {
    start(a, 'a1');
    start(a, 'a2');
    start(a, 'a3');
    start(a, 'a4'); // a1 runs, a2 and a3 wait: a4 is one too many
    await waitFor(() => runner.jobs.length === 1, 'the first job');
    start(b, 'b1');
    await a.until(() => exitOf(a, 'a4') !== undefined, 'a4 refused');
    expect(exitOf(a, 'a4')).toMatchObject({
      reason: 'error',
      message: expect.stringMatching(/too many runs waiting/),
    });
    await b.until(
      () => runFrames(b).some((m) => m.type === MessageType.RunQueued && m.runId === 'b1'),
      'b1 queued',
    );
    expect(
      runFrames(a)
        .filter((m) => m.type === MessageType.RunQueued)
        .map((m) => [m.runId, 'position' in m && m.position]),
    ).toEqual([
      ['a2', 1],
      ['a3', 2],
    ]);
    // The metrics see the three waiting.
    expect((await readMetrics(relay.url, METRICS_TOKEN)).get('tandem_run_queue_length')).toBe(3);

    // Room B has waited less than a3, but rooms take turns: after a1, a2; then b1 before a3.
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await waitFor(() => runner.jobs.length === i + 1, `job ${i + 1}`);
      const job = runner.jobs[i]!;
      order.push(job.runId);
      runner.finish(job.runId);
    }
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
    await a.until(() => exitOf(a, 'a3') !== undefined, 'a3 exit');
    expect(exitOf(b, 'b1')).toMatchObject({ reason: 'exited', code: 0 });
    expect(runner.jobs[0]!.files['main.py']).toContain('Hello');
    const metrics = await readMetrics(relay.url, METRICS_TOKEN);
    expect(metrics.get('tandem_runs_total{language="python",outcome="exited"}')).toBe(4);
    // a4, refused for the full queue, ended too.
    expect(metrics.get('tandem_runs_total{language="python",outcome="error"}')).toBe(1);
    expect(metrics.get('tandem_run_seconds_count{language="python"}')).toBe(5);
    expect(metrics.get('tandem_run_queue_length')).toBe(0);
    expect(metrics.get('tandem_runners')).toBe(1);
  });

  it('a run stopped while it waits ends as killed and never reaches the runner', async () => {
    start(a, 'busy');
    await waitFor(() => runner.jobs.some((j) => j.runId === 'busy'), 'busy job');
    start(a, 'waiting');
    await a.until(
      () => runFrames(a).some((m) => m.type === MessageType.RunQueued && m.runId === 'waiting'),
      'queued',
    );
    a.send(encode({ type: MessageType.RunStop, runId: 'waiting' }));
    await a.until(() => exitOf(a, 'waiting') !== undefined, 'waiting exit');
    expect(exitOf(a, 'waiting')).toMatchObject({ reason: 'killed' });
    runner.finish('busy');
    await a.until(() => exitOf(a, 'busy') !== undefined, 'busy exit');
    expect(runner.jobs.some((j) => j.runId === 'waiting')).toBe(false);
  });

  it('input typed while a run waits in the queue reaches the runner once it takes the run, in order', async () => {
    start(a, 'holding');
    await waitFor(() => runner.jobs.some((j) => j.runId === 'holding'), 'holding job');
    start(a, 'typed-ahead');
    await a.until(
      () => runFrames(a).some((m) => m.type === MessageType.RunQueued && m.runId === 'typed-ahead'),
      'queued',
    );
    for (const [text, eof] of [
      ['first\n', false],
      ['second\n', true],
    ] as const) {
      a.send(encode({ type: MessageType.RunInput, runId: 'typed-ahead', bytes: Buffer.from(text), eof }));
    }
    await a.fence();
    expect(runner.inputs.filter((i) => i.startsWith('typed-ahead:'))).toEqual([]);
    runner.finish('holding');
    await waitFor(() => runner.jobs.some((j) => j.runId === 'typed-ahead'), 'the queued job taken');
    await waitFor(() => runner.inputs.filter((i) => i.startsWith('typed-ahead:')).length === 2, 'its input');
    expect(runner.inputs.filter((i) => i.startsWith('typed-ahead:'))).toEqual([
      'typed-ahead:first\n',
      'typed-ahead:second\n:eof',
    ]);
    runner.finish('typed-ahead');
    await a.until(() => exitOf(a, 'typed-ahead') !== undefined, 'typed-ahead exit');
  });

  it('a runner that sends garbage is dropped and its running job ends with reason error', async () => {
    start(b, 'doomed');
    await waitFor(() => runner.jobs.some((j) => j.runId === 'doomed'), 'doomed job');
    const closed = new Promise<number>((resolve) => runner.ws.once('close', (code) => resolve(code)));
    runner.ws.send(Buffer.from([0xff, 0xff, 0xff]));
    expect(await closed).toBe(4400);
    await b.until(() => exitOf(b, 'doomed') !== undefined, 'doomed exit');
    expect(exitOf(b, 'doomed')).toMatchObject({
      reason: 'error',
      message: expect.stringMatching(/runner went away/),
    });
    start(b, 'after');
    await b.until(() => exitOf(b, 'after') !== undefined, 'after exit');
    expect(exitOf(b, 'after')).toMatchObject({
      reason: 'error',
      message: expect.stringMatching(/language unavailable/),
    });
  });
});

describe('a room’s share of the runner slots (scripted runner)', () => {
  let relay: RelayProcess;
  let runner: ScriptedRunner;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_RUN_ACTIVE_PER_ROOM: '2', TANDEM_RUN_QUEUE_PER_ROOM: '4' } });
    runner = await ScriptedRunner.connect(relay, 4);
    await waitFor(
      async () =>
        ((await (await fetch(`${relay.url}/api/runners`)).json()) as { runners: number }).runners === 1,
      'runner',
    );
  });

  afterAll(async () => {
    runner?.ws.close();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('four long terminals in one room hold two slots; another room’s run starts at once', async () => {
    const roomA = await createRoom(relay.url, { template: 'python' });
    const roomB = await createRoom(relay.url, { template: 'python' });
    const a = await RawClient.connect(yjsUrl(relay.wsUrl, roomA.roomId, roomA.token));
    const b = await RawClient.connect(yjsUrl(relay.wsUrl, roomB.roomId, roomB.token));
    await a.hello();
    await b.hello();
    const start = (client: RawClient, runId: string, mode: RunMode) =>
      client.send(encode({ type: MessageType.RunStart, runId, language: 'python', entry: '', mode }));
    for (const runId of ['t1', 't2', 't3', 't4']) start(a, runId, RunMode.Terminal);
    await a.until(
      () => runFrames(a).filter((m) => m.type === MessageType.RunQueued).length === 2,
      'two of room A’s terminals to wait',
    );
    await waitFor(() => runner.jobs.length === 2, 'room A’s first two terminals on the runner');
    expect(runner.jobs.map((job) => job.runId)).toEqual(['t1', 't2']);

    start(b, 'quick', RunMode.Batch);
    await waitFor(() => runner.jobs.some((job) => job.runId === 'quick'), 'room B’s run on the runner');
    // Free slots remain, but room A has its share: its waiting terminals still wait.
    expect(runner.jobs.map((job) => job.runId)).toEqual(['t1', 't2', 'quick']);
    runner.finish('quick');
    await b.until(() => exitOf(b, 'quick') !== undefined, 'room B’s run to end');
    expect(exitOf(b, 'quick')).toMatchObject({ reason: 'exited', code: 0 });

    // When one of room A's terminals ends, its next one takes the slot.
    runner.finish('t1');
    await waitFor(() => runner.jobs.some((job) => job.runId === 't3'), 't3 on the runner');
    expect(runner.jobs.map((job) => job.runId)).toEqual(['t1', 't2', 'quick', 't3']);
    for (const runId of ['t2', 't3']) runner.finish(runId);
    await waitFor(() => runner.jobs.some((job) => job.runId === 't4'), 't4 on the runner');
    runner.finish('t4');
    await a.until(() => exitOf(a, 't4') !== undefined, 't4 exit');
    a.close();
    b.close();
  });
});

describe('a run sent before any runner has connected', () => {
  let relay: RelayProcess;
  let client: RawClient;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_RUNNER_STARTUP_WAIT_MS: '600000' } });
    const room = await createRoom(relay.url, { template: 'python' });
    client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await client.hello();
  });

  afterAll(async () => {
    client?.close();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  const start = (runId: string, language: 'python' | 'go') =>
    client.send(encode({ type: MessageType.RunStart, runId, language, entry: '', mode: RunMode.Batch }));

  it('waits in the queue for the runner still starting, then runs there', async () => {
    start('early', 'python');
    await client.until(
      () => runFrames(client).some((m) => m.type === MessageType.RunQueued && m.runId === 'early'),
      'the run shown as waiting',
    );
    expect(exitOf(client, 'early')).toBeUndefined();
    const runner = await ScriptedRunner.connect(relay, 1);
    try {
      await waitFor(() => runner.jobs.some((job) => job.runId === 'early'), 'the job on the runner');
      runner.finish('early');
      await client.until(() => exitOf(client, 'early') !== undefined, 'the exit');
      expect(exitOf(client, 'early')).toMatchObject({ reason: 'exited', code: 0 });
    } finally {
      runner.ws.close();
    }
  });
});

describe('a runner building a sandbox image (scripted runner)', () => {
  let relay: RelayProcess;
  let runner: ScriptedRunner;

  beforeAll(async () => {
    relay = await startRelay();
    runner = await ScriptedRunner.connect(relay, 1);
  });

  afterAll(async () => {
    runner?.ws.close();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  type Listed = { id: string; available: boolean; preparing: { percent: number; what: string } | null };
  const listed = async () =>
    ((await (await fetch(`${relay.url}/api/runners`)).json()) as { languages: Listed[] }).languages;
  const of = (languages: Listed[], id: string) => languages.find((l) => l.id === id)!;

  it('says how far the image of a language it cannot run yet is, until the language runs', async () => {
    runner.send({
      type: MessageType.RunnerStatus,
      languages: ['python'],
      preparing: [
        {
          family: 'node',
          languages: ['javascript', 'typescript'],
          percent: 55,
          what: 'installing',
          problem: '',
        },
        { family: 'python', languages: ['python'], percent: 15, what: 'downloading packages', problem: '' },
      ],
    });
    await waitFor(async () => of(await listed(), 'javascript').preparing !== null, 'the build listed');
    const during = await listed();
    expect(of(during, 'javascript')).toMatchObject({
      available: false,
      preparing: { percent: 55, what: 'installing', problem: '' },
    });
    expect(of(during, 'typescript').preparing).toEqual({ percent: 55, what: 'installing', problem: '' });
    // A language some runner serves is not "preparing", whatever a build says.
    expect(of(during, 'python')).toMatchObject({ available: true, preparing: null });
    expect(of(during, 'go')).toMatchObject({ available: false, preparing: null });

    runner.send({
      type: MessageType.RunnerStatus,
      languages: ['javascript', 'python', 'typescript'],
      preparing: [],
    });
    await waitFor(async () => of(await listed(), 'javascript').available, 'the language running');
    expect(of(await listed(), 'javascript').preparing).toBeNull();
  });

  it('says why a runner cannot build an image, unless another is building it', async () => {
    const problem =
      'missing debootstrap. Fix: sudo apt-get install -y debootstrap docker.io && sudo scripts/build-images';
    const stuck = {
      family: 'native',
      languages: ['go' as const],
      percent: 0,
      what: 'cannot be built here',
      problem,
    };
    runner.send({ type: MessageType.RunnerStatus, languages: [], preparing: [stuck] });
    await waitFor(async () => of(await listed(), 'go').preparing !== null, 'the problem listed');
    expect(of(await listed(), 'go')).toMatchObject({ available: false, preparing: { percent: 0, problem } });
    const other = await ScriptedRunner.connect(relay, 1);
    try {
      other.send({
        type: MessageType.RunnerStatus,
        languages: [],
        preparing: [{ ...stuck, percent: 35, what: 'unpacking', problem: '' }],
      });
      await waitFor(
        async () => of(await listed(), 'go').preparing?.percent === 35,
        'the other runner’s build',
      );
      expect(of(await listed(), 'go').preparing).toEqual({ percent: 35, what: 'unpacking', problem: '' });
    } finally {
      other.ws.close();
    }
  });

  it('forgets a disconnected runner’s builds', async () => {
    runner.send({
      type: MessageType.RunnerStatus,
      languages: [],
      preparing: [{ family: 'java', languages: ['java'], percent: 80, what: 'finishing', problem: '' }],
    });
    await waitFor(async () => of(await listed(), 'java').preparing !== null, 'the build listed');
    runner.ws.close();
    await waitFor(async () => of(await listed(), 'java').preparing === null, 'the build forgotten');
  });
});
