/**
 * A sandbox is a hardened container, attached and started, whose bootstrap waits
 * on stdin for one job (see payload.ts). A run makes one on demand, or takes one
 * a WarmPool made earlier; either way it serves one run and is then removed.
 */
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { LanguageId } from '../../shared/languages.js';
import { containerLimitsKey, containerSpec, type SandboxOptions } from './containerSpec.js';
import type { RunLimits } from './types.js';

export interface Sandbox {
  readonly container: Docker.Container;
  /** stdin (raw) and multiplexed stdout/stderr. */
  readonly stream: Duplex;
  readonly language: LanguageId;
  readonly image: string;
  readonly limitsKey: string;
  /** True once the attach stream ended: the container has stopped. */
  ended: boolean;
}

export class SandboxError extends Error {
  override name = 'SandboxError';
}

/** Creates, attaches (before start, so no output is lost) and starts a sandbox. */
export async function createSandbox(
  docker: Docker,
  language: LanguageId,
  limits: RunLimits,
  options: SandboxOptions,
): Promise<Sandbox> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(containerSpec(language, limits, options));
  } catch (error) {
    throw new SandboxError(describeDockerError(error, options.image));
  }
  try {
    const stream = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    const sandbox: Sandbox = {
      container,
      stream,
      language,
      image: options.image,
      limitsKey: containerLimitsKey(limits),
      ended: false,
    };
    stream.on('error', () => {
      sandbox.ended = true;
    });
    stream.once('end', () => {
      sandbox.ended = true;
    });
    stream.once('close', () => {
      sandbox.ended = true;
    });
    await container.start();
    return sandbox;
  } catch (error) {
    await removeContainer(container);
    throw new SandboxError(describeDockerError(error, options.image));
  }
}

/** Removes a container and its anonymous volumes; a missing one is fine. */
/**
 * Removes a container and its anonymous volumes, and returns once it is gone.
 * A busy engine sometimes fails a forced removal ("did not receive an exit
 * event", a mount still busy) or is already removing it (409): both are tried
 * again, with a growing pause, until the engine answers 404.
 */
export async function removeContainer(container: Docker.Container, attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await container.remove({ force: true, v: true });
      return;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
}

export async function destroySandbox(sandbox: Sandbox): Promise<void> {
  sandbox.stream.destroy();
  await removeContainer(sandbox.container);
}

/** A sentence for people from a Docker API error (no stack, no socket paths). */
export function describeDockerError(error: unknown, image?: string): string {
  const err = error as { statusCode?: number; code?: string; json?: { message?: string }; message?: string };
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' || err.code === 'EACCES') {
    return 'the Docker engine is not reachable';
  }
  const message = err.json?.message ?? err.message ?? String(error);
  if (err.statusCode === 404 && image && /no such image/i.test(message)) {
    return `image ${image} is not available (build it with scripts/build-images)`;
  }
  return `Docker: ${message.trim().slice(0, 300)}`;
}
