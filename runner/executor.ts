/**
 * Turns relay jobs into sandbox runs, with a warm pool of ready containers for
 * the languages this runner serves. The pool's containers are made with the
 * limits of the jobs the relay sends; when those change, the pool is rebuilt.
 */
import type Docker from 'dockerode';
import type { LanguageId } from '../shared/languages.js';
import type { Executor } from './relayLink.js';
import { containerLimitsKey } from './sandbox/containerSpec.js';
import {
  runJob,
  WarmPool,
  DEFAULT_LIMITS,
  type RunHandle,
  type RunHooks,
  type SandboxConfig,
} from './sandbox/index.js';
import { type RunLimits, RunMode, type RunnerJob } from '../shared/protocol/table.js';

export interface SandboxExecutorOptions {
  poolSize: number;
  sandbox: SandboxConfig;
  onPoolError: (language: LanguageId, message: string, retryInMs: number) => void;
}

export class SandboxExecutor implements Executor {
  private pool: WarmPool | null = null;
  private poolLimits: string = JSON.stringify(DEFAULT_LIMITS);
  private languages: LanguageId[] = [];

  constructor(
    private readonly docker: Docker,
    private readonly options: SandboxExecutorOptions,
  ) {}

  run(job: RunnerJob, hooks: RunHooks): RunHandle {
    this.adaptPool(job.limits);
    const { runId, language, entry, files, env, limits } = job;
    const terminal = job.mode === RunMode.Terminal;
    return runJob(this.docker, { runId, language, entry, files, env, limits, terminal }, hooks, {
      ...this.options.sandbox,
      ...(this.pool ? { pool: this.pool } : {}),
    });
  }

  /** Warm the languages that can run now; called when availability changes. */
  setLanguages(languages: LanguageId[]): void {
    this.languages = languages;
    this.rebuildPool(JSON.parse(this.poolLimits) as RunLimits);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  /** Only what is fixed at container creation matters: a terminal's longer time limit does not. */
  private adaptPool(limits: RunLimits): void {
    if (containerLimitsKey(limits) !== containerLimitsKey(JSON.parse(this.poolLimits) as RunLimits)) {
      this.rebuildPool(limits);
    }
  }

  private rebuildPool(limits: RunLimits): void {
    this.poolLimits = JSON.stringify(limits);
    const old = this.pool;
    this.pool = null;
    void old?.close();
    if (this.options.poolSize === 0 || this.languages.length === 0) return;
    const sizes = Object.fromEntries(this.languages.map((id) => [id, this.options.poolSize]));
    this.pool = new WarmPool(this.docker, {
      ...this.options.sandbox,
      sizes,
      limits,
      onError: this.options.onPoolError,
    }).start();
  }
}
