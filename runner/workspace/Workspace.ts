/**
 * A room's live workspace: one long-lived hardened container (the sandbox's
 * hardening, larger limits, the workspace image) that keeps the project under
 * /work/project while people work. Inside it, the file agent (agent.py, run as
 * the sandbox user) writes what the room sends and reports what commands
 * change; shells are bash on pseudo-terminals (`docker exec` with a TTY).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import {
  LABEL_INSTANCE,
  LABEL_RUNNER,
  LABEL_RUNNER_NAME,
  DEFAULT_RUNNER_NAME,
  RUNNER_INSTANCE,
  SANDBOX_USER,
  hardenedHostConfig,
  type SandboxConfig,
} from '../sandbox/containerSpec.js';
import { describeDockerError, removeContainer, SandboxError } from '../sandbox/sandbox.js';
import { PACKAGE_PORTS } from './RegistryProxy.js';

export const LABEL_WORKSPACE = 'tandem.workspace';
export const PROJECT_ROOT = '/work/project';
/** Where the container sees its preview folder (the runner's host folder, mounted). */
export const PREVIEW_MOUNT = '/run/tandem';
/** The agent's source: beside this file, or from the bundle in dist/server/ (npm start). */
let agentSource: Buffer | null = null;
function agentCode(): Buffer {
  const places = [
    new URL('./agent.py', import.meta.url),
    new URL('../../runner/workspace/agent.py', import.meta.url),
  ];
  agentSource ??= readFileSync(places.find((place) => existsSync(place)) ?? places[0]!);
  return agentSource;
}
/**
 * Reads the agent's source from stdin (its length first, ten digits) without
 * buffering, so the protocol that follows on stdin is the agent's; `ps` in the
 * workspace shows this line, not the whole agent.
 */
const AGENT_BOOT = [
  'import os',
  'def r(k):',
  " b=b''",
  ' while len(b)<k:',
  '  c=os.read(0,k-len(b))',
  '  if not c: raise SystemExit(0)',
  '  b+=c',
  ' return b',
  "exec(compile(r(int(r(10))),'tandem-agent','exec'))",
].join('\n');
const WORKSPACE_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/tmp',
  'TMPDIR=/tmp',
  'LANG=C.UTF-8',
  'TERM=xterm-256color',
  'PYTHONDONTWRITEBYTECODE=1',
  // npm and pip reach the runner's proxies (RegistryProxy.ts) through the agent's
  // forwarders, tarball and file URLs included; the image's npm cache answers first.
  `npm_config_registry=http://127.0.0.1:${PACKAGE_PORTS.npm.port}/`,
  'npm_config_replace_registry_host=always',
  `PIP_INDEX_URL=http://127.0.0.1:${PACKAGE_PORTS.pip.port}/`,
  // Debian marks its Python as system-managed; pip installs into the user's home.
  'PIP_BREAK_SYSTEM_PACKAGES=1',
  'PIP_DISABLE_PIP_VERSION_CHECK=1',
];
const LINE_MAX_BYTES = 64 * 1024 * 1024;
/** Ends the process group whose id is in the file $0 (a terminal's), politely first. */
const END_GROUP = [
  'g=$(cat "$0" 2>/dev/null) || exit 0',
  'rm -f "$0"',
  'kill -TERM -- "-$g" 2>/dev/null || exit 0',
  'for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$g" 2>/dev/null || exit 0; sleep 0.2; done',
  'kill -KILL -- "-$g" 2>/dev/null',
].join('\n');
/**
 * A shell prints at most this fast: past it the runner stops reading the
 * terminal for the rest of a short window, so `yes` blocks on its own output
 * instead of flooding the relay and every browser in the room.
 */
export const SHELL_BYTES_PER_SECOND = 1024 * 1024;
const SHELL_WINDOW_MS = 100;

/** Ends the process whose pid is in the file $0, politely first. */
const KILL_PROCESS = [
  'p=$(cat "$0" 2>/dev/null) || exit 0',
  'rm -f "$0"',
  'kill -TERM "$p" 2>/dev/null || exit 0',
  'for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.2; done',
  'kill -KILL "$p" 2>/dev/null',
].join('\n');

export interface WorkspaceProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Its exit code once it ended (null: unknown). */
  exited: Promise<number | null>;
  /** Closes its stdin and ends it: TERM, then KILL after 2 s. */
  kill(): void;
}

export interface WorkspaceLimits {
  memoryBytes: number;
  /** Writable space at /work (and /tmp). tmpfs pages count against memory too. */
  diskBytes: number;
  cpuMillis: number;
  pids: number;
}

export interface WorkspaceOptions extends SandboxConfig {
  image: string;
  workspaceId: string;
  limits: WorkspaceLimits;
  /** Folder names never synced nor watched (node_modules, .git, ...). */
  skip: readonly string[];
  /** Files larger than this stay in the container with a notice. */
  maxFileBytes: number;
  /**
   * A host folder mounted at PREVIEW_MOUNT, where the agent's forwarders put
   * one unix socket per listening port (`<port>.sock`); null: no previews.
   */
  previewDir: string | null;
}

/** What the agent reports: a file's new bytes, a deletion, or a path it will not sync. */
export type AgentEvent =
  | { ev: 'put'; path: string; data: Uint8Array; base: string | null }
  | { ev: 'del'; path: string; base: string }
  | { ev: 'refused'; path: string; why: string };

export interface WorkspaceHooks {
  onFileEvent(event: AgentEvent): void;
  /** The ports programs listen on changed (each has its socket in the preview folder). */
  onPorts(ports: number[]): void;
  /** The container or its agent stopped; called once. */
  onEnded(reason: string): void;
}

export interface Shell {
  write(bytes: Uint8Array | string): void;
  resize(cols: number, rows: number): Promise<void>;
  close(): void;
}

export interface ShellHooks {
  onOutput(bytes: Uint8Array): void;
  onExit(code: number | null): void;
}

export class Workspace {
  private ended = false;

  private constructor(
    readonly id: string,
    private readonly container: Docker.Container,
    private readonly agent: Duplex,
    private readonly hooks: WorkspaceHooks,
  ) {}

  /** Creates and starts the container, then the agent; resolves once the agent is ready. */
  static async start(docker: Docker, options: WorkspaceOptions, hooks: WorkspaceHooks): Promise<Workspace> {
    let container: Docker.Container;
    try {
      container = await docker.createContainer(workspaceSpec(options));
    } catch (error) {
      throw new SandboxError(describeDockerError(error, options.image));
    }
    try {
      await container.start();
    } catch (error) {
      // A container made but not started is not left behind.
      await removeContainer(container).catch(() => undefined);
      throw new SandboxError(describeDockerError(error, options.image));
    }
    try {
      const exec = await container.exec({
        Cmd: ['python3', '-c', AGENT_BOOT],
        User: SANDBOX_USER,
        WorkingDir: '/',
        Env: WORKSPACE_ENV,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
      const source = agentCode();
      stream.write(`${String(source.byteLength).padStart(10, '0')}`);
      stream.write(source);
      const workspace = new Workspace(options.workspaceId, container, stream, hooks);
      await workspace.listen(docker, options);
      return workspace;
    } catch (error) {
      await removeContainer(container);
      throw error instanceof SandboxError ? error : new SandboxError(describeDockerError(error));
    }
  }

  private listen(docker: Docker, options: WorkspaceOptions): Promise<void> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(this.agent, stdout, stderr);
    let errors = '';
    stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
    let pending = '';
    return new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        reject(new SandboxError(reason));
        this.end(reason);
      };
      stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        if (pending.length > LINE_MAX_BYTES) return fail('the workspace agent sent an oversize line');
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          const event = parseAgentLine(line);
          if (event === 'ready') resolve();
          else if (event && 'ports' in event) this.hooks.onPorts(event.ports);
          else if (event) this.hooks.onFileEvent(event);
        }
      });
      const closed = () =>
        fail(`the workspace stopped${errors ? `: ${errors.trim().split('\n').at(-1)}` : ''}`);
      this.agent.once('end', closed);
      this.agent.once('close', closed);
      this.agent.on('error', closed);
      this.command({
        op: 'config',
        root: PROJECT_ROOT,
        skip: options.skip,
        maxBytes: options.maxFileBytes,
        previews: options.previewDir ? PREVIEW_MOUNT : null,
        registries: options.previewDir ? Object.values(PACKAGE_PORTS) : [],
      });
    });
  }

  private command(message: object): void {
    if (!this.ended) this.agent.write(`${JSON.stringify(message)}\n`);
  }

  /** Writes a file, unless the container changed it since the agent last reported it. */
  put(path: string, bytes: Uint8Array): void {
    this.command({ op: 'put', path, data: Buffer.from(bytes).toString('base64') });
  }

  delete(path: string): void {
    this.command({ op: 'del', path });
  }

  /**
   * bash on a pseudo-terminal in the project folder; with `command`, bash runs
   * that and ends with it. The terminal's process group is written to a file
   * first, so closing can end everything it started (a dev server's children
   * too), not only hang up its input.
   */
  async openShell(cols: number, rows: number, hooks: ShellHooks, command?: string): Promise<Shell> {
    const groupFile = `/tmp/.tandem-terminal-${randomBytes(8).toString('hex')}`;
    const exec = await this.container.exec({
      Cmd: command
        ? ['/bin/bash', '-c', 'echo $$ > "$0"; exec /bin/bash -lc "$1"', groupFile, command]
        : ['/bin/bash', '-c', 'echo $$ > "$0"; exec /bin/bash -l', groupFile],
      User: SANDBOX_USER,
      WorkingDir: PROJECT_ROOT,
      Env: [...WORKSPACE_ENV, `COLUMNS=${cols}`, `LINES=${rows}`],
      Tty: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as unknown as Duplex;
    await exec.resize({ w: cols, h: rows }).catch(() => undefined);
    let exited = false;
    const finish = () => {
      if (exited) return;
      exited = true;
      void exec
        .inspect()
        .then((info) => hooks.onExit(info.ExitCode ?? null))
        .catch(() => hooks.onExit(null));
    };
    let windowStart = Date.now();
    let windowBytes = 0;
    const windowMax = (SHELL_BYTES_PER_SECOND * SHELL_WINDOW_MS) / 1000;
    stream.on('data', (chunk: Buffer) => {
      hooks.onOutput(new Uint8Array(chunk));
      const now = Date.now();
      if (now - windowStart >= SHELL_WINDOW_MS) {
        windowStart = now;
        windowBytes = 0;
      }
      windowBytes += chunk.byteLength;
      if (windowBytes < windowMax) return;
      stream.pause();
      setTimeout(
        () => {
          windowStart = Date.now();
          windowBytes = 0;
          if (!exited) stream.resume();
        },
        SHELL_WINDOW_MS - (now - windowStart),
      ).unref();
    });
    stream.once('end', finish);
    stream.once('close', finish);
    stream.on('error', finish);
    return {
      write: (bytes) => {
        if (!exited) stream.write(bytes);
      },
      resize: async (w, h) => {
        if (!exited) await exec.resize({ w, h });
      },
      close: () => {
        // bash ends on hangup: ending its terminal's input is that hangup.
        stream.end();
        stream.destroy();
        finish();
        // What it started may not: TERM to its process group, then KILL after 2 s.
        void this.exec(['/bin/bash', '-c', END_GROUP, groupFile]).catch(() => undefined);
      },
    };
  }

  /**
   * A long-running program as the sandbox user in the project folder, on
   * pipes rather than a terminal (a language server): its stdin, stdout and
   * stderr, how it ended (127: not in the image), and a kill. Its pid is kept
   * in a file, as a docker exec cannot be signalled through the API.
   */
  async openProcess(cmd: string[]): Promise<WorkspaceProcess> {
    const pidFile = `/tmp/.tandem-process-${randomBytes(8).toString('hex')}`;
    const exec = await this.container.exec({
      Cmd: [
        '/bin/sh',
        '-c',
        'echo $$ > "$0"; command -v "$1" >/dev/null || exit 127; exec "$@"',
        pidFile,
        ...cmd,
      ],
      User: SANDBOX_USER,
      WorkingDir: PROJECT_ROOT,
      Env: WORKSPACE_ENV,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.container.modem.demuxStream(stream, stdout, stderr);
    const exited = new Promise<number | null>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        stdout.end();
        stderr.end();
        exec.inspect().then(
          (info) => resolve(info.ExitCode ?? null),
          () => resolve(null),
        );
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.on('error', finish);
    });
    return {
      stdin: stream,
      stdout,
      stderr,
      exited,
      kill: () => {
        stream.end();
        void this.exec(['/bin/sh', '-c', KILL_PROCESS, pidFile]).catch(() => undefined);
      },
    };
  }

  /** Runs a command as the sandbox user in the project folder; its exit code and output. */
  async exec(cmd: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const exec = await this.container.exec({
      Cmd: cmd,
      User: SANDBOX_USER,
      WorkingDir: PROJECT_ROOT,
      Env: WORKSPACE_ENV,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Duplex;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough().on('data', (chunk: Buffer) => out.push(chunk));
    const stderr = new PassThrough().on('data', (chunk: Buffer) => err.push(chunk));
    this.container.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    const info = await exec.inspect();
    return {
      code: info.ExitCode ?? null,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    };
  }

  /** Memory in use (bytes) and CPU (percent of one core) right now. */
  async usage(): Promise<{ memoryBytes: number; cpuPercent: number }> {
    const stats = (await this.container.stats({ stream: false })) as unknown as DockerStats;
    const cpu = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
    const system = (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats.system_cpu_usage ?? 0);
    const cores = stats.cpu_stats.online_cpus ?? 1;
    return {
      memoryBytes: stats.memory_stats.usage ?? 0,
      cpuPercent: system > 0 ? Math.round((cpu / system) * cores * 1000) / 10 : 0,
    };
  }

  /** Removes the container (and everything in it); idempotent. */
  async stop(reason = 'stopped'): Promise<void> {
    this.end(reason);
    await removeContainer(this.container);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.agent.destroy();
    this.hooks.onEnded(reason);
  }
}

interface DockerStats {
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number };
}

function parseAgentLine(line: string): AgentEvent | { ports: number[] } | 'ready' | null {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const path = typeof value.path === 'string' ? value.path : null;
  switch (value.ev) {
    case 'ready':
      return 'ready';
    case 'ports':
      return Array.isArray(value.ports) && value.ports.every((port) => Number.isInteger(port))
        ? { ports: value.ports as number[] }
        : null;
    case 'put':
      if (path === null || typeof value.data !== 'string') return null;
      return {
        ev: 'put',
        path,
        data: new Uint8Array(Buffer.from(value.data, 'base64')),
        base: typeof value.base === 'string' ? value.base : null,
      };
    case 'del':
      return path === null || typeof value.base !== 'string' ? null : { ev: 'del', path, base: value.base };
    case 'refused':
      return path === null ? null : { ev: 'refused', path, why: String(value.why ?? '') };
    default:
      return null;
  }
}

export function workspaceSpec(options: WorkspaceOptions): Docker.ContainerCreateOptions {
  const { limits } = options;
  return {
    Image: options.image,
    // Init (tini) is pid 1 and reaps; this is what keeps the container up.
    Cmd: ['/bin/sleep', 'infinity'],
    User: SANDBOX_USER,
    WorkingDir: '/',
    Env: WORKSPACE_ENV,
    Hostname: 'workspace',
    Labels: {
      [LABEL_RUNNER]: '1',
      [LABEL_INSTANCE]: options.instanceId ?? RUNNER_INSTANCE,
      [LABEL_RUNNER_NAME]: options.runnerName ?? DEFAULT_RUNNER_NAME,
      [LABEL_WORKSPACE]: options.workspaceId,
    },
    NetworkDisabled: true,
    HostConfig: {
      ...hardenedHostConfig(limits, options),
      ...(options.previewDir
        ? {
            Mounts: [
              {
                Type: 'bind' as const,
                Source: options.previewDir,
                Target: PREVIEW_MOUNT,
                ReadOnly: false,
                BindOptions: { Propagation: 'rprivate' as const },
              },
            ],
          }
        : {}),
    },
  };
}
