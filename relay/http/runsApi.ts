/**
 * HTTP for runs and project environment variables (README documents it):
 *   POST   /api/rooms/:roomId/runs        editor: run and answer with the result,
 *                                          or NDJSON frames as they come
 *   GET    /api/rooms/:roomId/runs        any token: stored runs, newest first
 *   PUT    /api/rooms/:roomId/env/:name   editor: set a variable `{ value }`
 *   DELETE /api/rooms/:roomId/env/:name   editor: remove it
 *   GET    /api/rooms/:roomId/env         any token: names only, never values
 *   GET    /api/runners                   which languages can run now
 */
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { LANGUAGES } from '../../shared/languages.js';
import { ENV_NAME_PATTERN, ENV_VARS_PER_ROOM_MAX } from '../../shared/protocol/api.js';
import {
  EnvNamesAnswer,
  RunAnswer,
  RunnersAnswer,
  StoredRunsAnswer,
  type Answer,
  type RunEvent,
  type StoredRun,
} from '../../shared/api/answers.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { randomId, type TokenSigner } from '../auth/tokens.js';
import type { RoomManager } from '../rooms/RoomManager.js';
import type { EnvCrypto } from '../runs/envCrypto.js';
import {
  joinAdjacent,
  outputStreamName,
  readOutputLog,
  type OutputStreamName,
} from '../../shared/protocol/outputLog.js';
import { exitOf, type RunnerHub } from '../runs/RunnerHub.js';
import type { RunObserver, RunService } from '../runs/RunService.js';
import type { Storage } from '../storage/Storage.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import { HttpError } from './errors.js';
import { access, type RoomEnv } from './roomAccess.js';
import { OutputStream, type RunExit, RunMode } from '../../shared/protocol/table.js';
import { EnvValueBody, RunBody } from '../../shared/api/bodies.js';
import { answer, jsonBody } from './validate.js';

const RUNS_LISTED_MAX = 50;
const NDJSON = 'application/x-ndjson';

export interface RunsApiDeps {
  storage: Storage;
  rooms: RoomManager;
  signer: TokenSigner;
  runs: RunService;
  hub: RunnerHub;
  crypto: EnvCrypto;
  workspaces: Workspaces;
}

export function createRunsApi({ storage, runs, hub, crypto, workspaces }: RunsApiDeps): Hono<RoomEnv> {
  const app = new Hono<RoomEnv>();

  app.get('/api/runners', (c) =>
    answer(c, RunnersAnswer, {
      runners: hub.runnerCount,
      workspaces: workspaces.freeSlots,
      // In the relay's first seconds a run waits for a runner still connecting: offer it.
      languages: LANGUAGES.map((l) => ({
        ...l,
        available: runs.accepts(l.id),
        preparing: hub.preparing(l.id),
      })),
    }),
  );

  app.post('/api/rooms/:roomId/runs', jsonBody(RunBody), async (c) => {
    const { claims, room: gated } = access(c);
    const room = gated!;
    const body = c.req.valid('json');
    const { language } = body;
    const entry = body.entry ?? '';
    const stdin = body.stdin ?? undefined;
    const runId = randomId(12);
    const request = {
      runId,
      language,
      entry,
      mode: RunMode.Batch,
      ...(stdin === undefined ? {} : { stdin }),
    };

    if ((c.req.header('accept') ?? '').includes(NDJSON)) {
      c.header('content-type', NDJSON);
      return stream(c, async (out) => {
        const decoder = new TextDecoder();
        const lines: string[] = [];
        let wake: (() => void) | null = null;
        let done = false;
        const push = (value: Answer<typeof RunEvent>) => {
          lines.push(`${JSON.stringify(value)}\n`);
          wake?.();
        };
        const observer: RunObserver = {
          started: (m) =>
            push({
              type: 'started',
              runId: m.runId,
              language: m.language,
              entry: m.entry,
              startedAt: m.startedAt,
            }),
          output: (m) =>
            push({ type: 'output', stream: outputStreamName(m.stream), text: decoder.decode(m.bytes) }),
          exit: (m) => {
            push({ type: 'exit', ...exitFields(m) });
            done = true;
          },
        };
        await runs.start(room, claims, request, observer).catch((error: unknown) => {
          if (!done) observer.exit(exitOf(runId, 'error', `run failed: ${String(error)}`, 0));
        });
        while (!done || lines.length > 0) {
          if (lines.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          while (lines.length > 0) await out.write(lines.shift()!);
        }
      });
    }

    const result = await new Promise<RunExit & { stdout: string; stderr: string }>((resolve) => {
      const chunks: Record<OutputStreamName, Uint8Array[]> = { stdout: [], stderr: [], stdin: [] };
      const finish = (m: RunExit) =>
        resolve({ ...m, stdout: utf8(chunks.stdout), stderr: utf8(chunks.stderr) });
      runs
        .start(room, claims, request, {
          output: (m) => chunks[outputStreamName(m.stream)].push(m.bytes),
          exit: finish,
        })
        .catch((error: unknown) => finish(exitOf(runId, 'error', `run failed: ${String(error)}`, 0)));
    });
    return answer(c, RunAnswer, {
      runId,
      ...exitFields(result),
      stdout: result.stdout,
      stderr: result.stderr,
    });
  });

  app.get('/api/rooms/:roomId/runs', async (c) => {
    const roomId = c.req.param('roomId');
    const list = await storage.listRuns(roomId, RUNS_LISTED_MAX);
    return answer(
      c,
      StoredRunsAnswer,
      list.map(({ output, roomId: _room, ...run }): StoredRun => {
        const chunks = readOutputLog(output);
        const text = (s: OutputStream) => utf8(chunks.filter((ch) => ch.stream === s).map((ch) => ch.bytes));
        return {
          ...run,
          stdout: text(OutputStream.Stdout),
          stderr: text(OutputStream.Stderr),
          // Both streams in the order they arrived, for replaying the run.
          output: joinAdjacent(chunks).map((ch) => ({
            stream: outputStreamName(ch.stream),
            text: utf8([ch.bytes]),
          })),
        };
      }),
    );
  });

  app.get('/api/rooms/:roomId/env', async (c) => {
    const roomId = c.req.param('roomId');
    return answer(c, EnvNamesAnswer, { names: (await storage.listEnv(roomId)).map((v) => v.name) });
  });

  app.put('/api/rooms/:roomId/env/:name', jsonBody(EnvValueBody), async (c) => {
    const roomId = c.req.param('roomId');
    const name = envName(c.req.param('name'));
    const body = c.req.valid('json');
    const existing = await storage.listEnv(roomId);
    if (existing.length >= ENV_VARS_PER_ROOM_MAX && !existing.some((v) => v.name === name)) {
      throw new HttpError(400, ErrorCode.BadRequest, `a room has at most ${ENV_VARS_PER_ROOM_MAX} variables`);
    }
    await storage.setEnv(roomId, { name, sealed: crypto.seal(roomId, name, body.value) });
    return c.body(null, 204);
  });

  app.delete('/api/rooms/:roomId/env/:name', async (c) => {
    const roomId = c.req.param('roomId');
    const removed = await storage.deleteEnv(roomId, envName(c.req.param('name')));
    if (!removed) throw new HttpError(404, ErrorCode.NotFound, 'no such variable');
    return c.body(null, 204);
  });

  return app;
}

function envName(name: string): string {
  if (!ENV_NAME_PATTERN.test(name)) {
    throw new HttpError(
      400,
      ErrorCode.BadRequest,
      'variable names are letters, digits and _, not starting with a digit',
    );
  }
  return name;
}

function exitFields(m: RunExit) {
  return {
    exitCode: m.code,
    signal: m.signal,
    reason: m.reason,
    durationMs: m.durationMs,
    message: m.message,
  };
}

function utf8(chunks: Uint8Array[]): string {
  return Buffer.concat(chunks).toString('utf8');
}
