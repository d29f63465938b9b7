/**
 * Keeps idle sandboxes ready per language: created, attached and started, their
 * bootstrap blocked on stdin waiting for a job. A run takes one (no create, no
 * start, no exec: it only writes its payload), the sandbox serves that one run
 * and is removed, and a replacement is made in the background. Same hardening
 * and limits as a fresh sandbox; a job whose container limits differ from the
 * pool's gets a fresh one.
 */
import type Docker from 'dockerode';
import type { LanguageId } from '../../shared/languages.js';
import { resolveImage } from '../languages.js';
import { RUNNER_INSTANCE, containerLimitsKey, type SandboxConfig } from './containerSpec.js';
import { createSandbox, destroySandbox, type Sandbox } from './sandbox.js';
import { DEFAULT_LIMITS, type RunLimits } from './types.js';
import { clampLimits } from './validate.js';

export interface WarmPoolOptions extends SandboxConfig {
  /** Idle sandboxes to keep per language. */
  sizes: Partial<Record<LanguageId, number>>;
  /** Limits the warm containers are created with (default DEFAULT_LIMITS). */
  limits?: RunLimits;
  /** Image per language (default resolveImage). */
  imageFor?: (language: LanguageId) => string;
  /** Containers created at once (the machines have 2 cores). */
  concurrency?: number;
  /** A failed creation, for logs; the pool retries after `retryInMs` (doubling up to a cap). */
  onError?: (language: LanguageId, message: string, retryInMs: number) => void;
}

export const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
const QUICK_DEATH_MS = 2_000;

export class WarmPool {
  private readonly idle = new Map<LanguageId, Sandbox[]>();
  private readonly creating = new Map<LanguageId, number>();
  private readonly failures = new Map<LanguageId, number>();
  private readonly retryAt = new Map<LanguageId, number>();
  private readonly onIdleEnd = new Map<Sandbox, () => void>();
  /** Creations under way; close() waits for them so no container outlives the pool. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly limits: RunLimits;
  private readonly limitsKey: string;
  private active = 0;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly options: WarmPoolOptions,
  ) {
    this.limits = clampLimits(options.limits ?? DEFAULT_LIMITS);
    this.limitsKey = containerLimitsKey(this.limits);
  }

  /** Starts filling the pool in the background. */
  start(): this {
    this.pump();
    return this;
  }

  /** An idle sandbox for this language, image and limits, or undefined. */
  take(language: LanguageId, limits: RunLimits, image: string): Sandbox | undefined {
    if (this.closed || containerLimitsKey(limits) !== this.limitsKey) return undefined;
    const list = this.idle.get(language);
    if (!list) return undefined;
    const index = list.findIndex((sandbox) => sandbox.image === image && !sandbox.ended);
    if (index < 0) return undefined;
    const [sandbox] = list.splice(index, 1);
    this.release(sandbox!);
    this.pump();
    return sandbox;
  }

  idleCount(language: LanguageId): number {
    return this.idle.get(language)?.length ?? 0;
  }

  /** Resolves once every language has its idle sandboxes (or rejects after timeoutMs). */
  async whenFull(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.full()) {
      if (Date.now() > deadline) throw new Error('warm pool did not fill in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops refilling and removes every idle sandbox. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(
      all.map((sandbox) => {
        this.release(sandbox);
        return destroySandbox(sandbox).catch(() => undefined);
      }),
    );
    // A creation that finishes after `closed` was set destroys its own sandbox.
    await Promise.allSettled([...this.inflight]);
  }

  private full(): boolean {
    return Object.entries(this.options.sizes).every(
      ([language, size]) => this.idleCount(language as LanguageId) >= (size ?? 0),
    );
  }

  private deficit(language: LanguageId): number {
    const want = this.options.sizes[language] ?? 0;
    return want - this.idleCount(language) - (this.creating.get(language) ?? 0);
  }

  /** Starts creations while there is a deficit and a free slot. */
  private pump(): void {
    if (this.closed) return;
    const concurrency = this.options.concurrency ?? 2;
    const now = Date.now();
    let nextRetry = Infinity;
    for (const language of Object.keys(this.options.sizes) as LanguageId[]) {
      const retryAt = this.retryAt.get(language) ?? 0;
      if (retryAt > now) {
        if (this.deficit(language) > 0) nextRetry = Math.min(nextRetry, retryAt);
        continue;
      }
      while (this.active < concurrency && this.deficit(language) > 0) {
        const creation = this.createOne(language);
        this.inflight.add(creation);
        void creation.finally(() => this.inflight.delete(creation));
      }
    }
    if (nextRetry !== Infinity && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, nextRetry - now);
      this.retryTimer.unref();
    }
  }

  private async createOne(language: LanguageId): Promise<void> {
    this.active++;
    this.creating.set(language, (this.creating.get(language) ?? 0) + 1);
    try {
      const image = (this.options.imageFor ?? resolveImage)(language);
      const sandbox = await createSandbox(this.docker, language, this.limits, {
        image,
        runtime: this.options.runtime,
        seccompProfile: this.options.seccompProfile,
        runnerName: this.options.runnerName,
        instanceId: this.options.instanceId ?? RUNNER_INSTANCE,
      });
      if (this.closed) {
        await destroySandbox(sandbox).catch(() => undefined);
        return;
      }
      this.failures.delete(language);
      this.addIdle(language, sandbox);
    } catch (error) {
      this.backOff(language, error instanceof Error ? error.message : String(error));
    } finally {
      this.active--;
      this.creating.set(language, (this.creating.get(language) ?? 1) - 1);
      this.pump();
    }
  }

  private backOff(language: LanguageId, message: string): void {
    const failures = (this.failures.get(language) ?? 0) + 1;
    this.failures.set(language, failures);
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
    this.retryAt.set(language, Date.now() + retryInMs);
    this.options.onError?.(language, message, retryInMs);
  }

  private addIdle(language: LanguageId, sandbox: Sandbox): void {
    const list = this.idle.get(language) ?? [];
    this.idle.set(language, list);
    list.push(sandbox);
    // A warm container that dies while idle (daemon restart, reaped) is replaced.
    const addedAt = Date.now();
    const onEnd = () => {
      const index = list.indexOf(sandbox);
      if (index >= 0) list.splice(index, 1);
      // One that dies at once (a broken image) must not be recreated in a loop.
      if (Date.now() - addedAt < QUICK_DEATH_MS) this.backOff(language, 'a warm container exited at once');
      this.release(sandbox);
      void destroySandbox(sandbox).catch(() => undefined);
      this.pump();
    };
    this.onIdleEnd.set(sandbox, onEnd);
    sandbox.stream.once('end', onEnd);
    sandbox.stream.once('close', onEnd);
  }

  private release(sandbox: Sandbox): void {
    const onEnd = this.onIdleEnd.get(sandbox);
    if (!onEnd) return;
    this.onIdleEnd.delete(sandbox);
    sandbox.stream.off('end', onEnd);
    sandbox.stream.off('close', onEnd);
  }
}
