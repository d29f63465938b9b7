/**
 * The hardened container every run gets. Only the image (operator
 * configuration), the limits (clamped) and labels vary; nothing the user
 * controls reaches this object except the run id, in a label.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { LanguageId } from '../../shared/languages.js';
import { LANGUAGE_SPECS, terminalCommand } from '../languages.js';
import { bootstrapScript } from './payload.js';
import { ENGINE_DEFAULT_SECCOMP, SANDBOX_SECCOMP } from './seccomp.js';
import type { RunLimits } from './types.js';

export const LABEL_RUNNER = 'tandem.runner';
export const LABEL_INSTANCE = 'tandem.runner.instance';
export const LABEL_RUNNER_NAME = 'tandem.runner.name';
export const DEFAULT_RUNNER_NAME = 'default';
export const LABEL_RUN = 'tandem.run';
export const LABEL_LANGUAGE = 'tandem.language';
export const LABEL_POOL = 'tandem.pool';

/** This process's id on its containers, so a restarted runner reaps only leftovers. */
export const RUNNER_INSTANCE = randomUUID();

export const SANDBOX_USER = '1000:1000';
const SHM_MAX_BYTES = 16 * 1024 * 1024;
const OPEN_FILES_MAX = 1024;
const SANDBOX_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/tmp',
  'TMPDIR=/tmp',
  'LANG=C.UTF-8',
  'PYTHONDONTWRITEBYTECODE=1',
  // Output in the order the program wrote it, as on a terminal: a pipe would
  // otherwise hold Python's and C stdio's stdout back until exit, so a
  // traceback or an error line showed above what was printed before it.
  'PYTHONUNBUFFERED=1',
  'LD_PRELOAD=/usr/libexec/coreutils/libstdbuf.so',
  '_STDBUF_O=L',
];

/** Operator configuration shared by every sandbox of a runner. */
export interface SandboxConfig {
  /** OCI runtime, e.g. 'runsc' (gVisor); Docker's default when absent. */
  runtime?: string;
  /**
   * The seccomp profile, as JSON text. Absent: Tandem's (./seccomp.ts: Docker's
   * default without ptrace and the other calls a sandbox never needs).
   * 'builtin': the engine's own default, which lets a sandbox's processes
   * ptrace each other (nothing outside is visible).
   */
  seccompProfile?: string;
  /** Labels containers for reaping; default: this process's RUNNER_INSTANCE. */
  instanceId?: string;
  /**
   * A stable name for this runner (default 'default'): runners sharing one
   * Docker engine need distinct names, so one reaps only its own leftovers.
   */
  runnerName?: string;
}

export interface SandboxOptions extends SandboxConfig {
  image: string;
  /** Set for a container made for one run; absent for a warm pool container. */
  runId?: string;
}

function tmpfs(bytes: number): string {
  return `rw,exec,nosuid,nodev,size=${bytes},mode=1777`;
}

export function containerSpec(
  language: LanguageId,
  limits: RunLimits,
  options: SandboxOptions,
): Docker.ContainerCreateOptions {
  const labels: Record<string, string> = {
    [LABEL_RUNNER]: '1',
    [LABEL_INSTANCE]: options.instanceId ?? RUNNER_INSTANCE,
    [LABEL_RUNNER_NAME]: options.runnerName ?? DEFAULT_RUNNER_NAME,
    [LABEL_LANGUAGE]: language,
  };
  if (options.runId) labels[LABEL_RUN] = options.runId;
  else labels[LABEL_POOL] = '1';
  return {
    Image: options.image,
    Cmd: ['/bin/sh', '-c', bootstrapScript(LANGUAGE_SPECS[language].script, terminalCommand(language))],
    User: SANDBOX_USER,
    // The script cds into /work: a tmpfs as WorkingDir is reset to 0755 root.
    WorkingDir: '/',
    Env: SANDBOX_ENV,
    Hostname: 'sandbox',
    Labels: labels,
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: true,
    HostConfig: hardenedHostConfig(limits, options),
  };
}

/** Whether `runtime` names gVisor. */
export function isGvisor(runtime: string | undefined): boolean {
  return runtime !== undefined && /runsc|gvisor/i.test(runtime);
}

/**
 * The host's pids limit for a program allowed `pids` tasks. Under gVisor the
 * sentry runs inside the container's cgroup (about 42 host tasks idle) and,
 * on the ptrace platform, each process of the program costs about 5.3 host
 * tasks (measured: 20 processes 150, 40 processes 251), so the limit scales;
 * a program reaching it waits until the run's timeout instead of seeing
 * EAGAIN.
 */
export function hostPidsLimit(pids: number, runtime: string | undefined): number {
  return isGvisor(runtime) ? GVISOR_IDLE_PIDS + GVISOR_PIDS_PER_PROCESS * pids : pids;
}
const GVISOR_IDLE_PIDS = 64;
const GVISOR_PIDS_PER_PROCESS = 6;

function securityOptions(seccompProfile: string): string[] {
  if (seccompProfile === ENGINE_DEFAULT_SECCOMP) return ['no-new-privileges'];
  return ['no-new-privileges', `seccomp=${seccompProfile}`];
}

/**
 * What makes a sandbox a sandbox, for runs and workspaces alike: no network,
 * read-only root, no capabilities, no new privileges, memory without extra
 * swap, pids, CPU, size-capped writable tmpfs at /work and /tmp, ulimits, Init.
 */
export function hardenedHostConfig(
  limits: Pick<RunLimits, 'memoryBytes' | 'pids' | 'cpuMillis' | 'diskBytes'>,
  options: SandboxConfig,
): Docker.HostConfig {
  return {
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    CapDrop: ['ALL'],
    SecurityOpt: securityOptions(options.seccompProfile ?? SANDBOX_SECCOMP),
    Privileged: false,
    Init: true,
    IpcMode: 'private',
    // Hides the host's cgroup paths (API 1.41; missing from @types/dockerode).
    ...({ CgroupnsMode: 'private' } as object),
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    OomScoreAdj: 500,
    PidsLimit: hostPidsLimit(limits.pids, options.runtime),
    NanoCpus: limits.cpuMillis * 1_000_000,
    ShmSize: Math.min(limits.diskBytes, SHM_MAX_BYTES),
    Tmpfs: { '/work': tmpfs(limits.diskBytes), '/tmp': tmpfs(limits.diskBytes) },
    Ulimits: [
      { Name: 'fsize', Soft: limits.diskBytes, Hard: limits.diskBytes },
      { Name: 'nofile', Soft: OPEN_FILES_MAX, Hard: OPEN_FILES_MAX },
      { Name: 'core', Soft: 0, Hard: 0 },
    ],
    // Output travels only over the attach stream: no log file on the host to fill.
    LogConfig: { Type: 'none', Config: {} },
    AutoRemove: false,
    ...(options.runtime ? { Runtime: options.runtime } : {}),
  };
}

/** Limits that are fixed when a container is created (a warm one must match the job's). */
export function containerLimitsKey(limits: RunLimits): string {
  return `${limits.memoryBytes}/${limits.pids}/${limits.cpuMillis}/${limits.diskBytes}`;
}
