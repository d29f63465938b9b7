/**
 * A runner that died leaves its containers behind (killing a Docker client does
 * not stop them). On start, a runner removes the containers carrying its name
 * that another instance (its dead predecessor) made.
 */
import type Docker from 'dockerode';
import {
  DEFAULT_RUNNER_NAME,
  LABEL_INSTANCE,
  LABEL_RUNNER,
  LABEL_RUNNER_NAME,
  RUNNER_INSTANCE,
} from './containerSpec.js';
import { removeContainer } from './sandbox.js';

export interface ReapOptions {
  /** Only containers of runners with this name (default 'default'). */
  runnerName?: string;
  /** Containers of this instance are kept (default: this process's). */
  keepInstance?: string;
  /** Only containers of this instance are removed (default: any). */
  onlyInstance?: string;
}

/** Removes leftover runner containers; returns how many. */
export async function reapLeftovers(docker: Docker, options: ReapOptions = {}): Promise<number> {
  const keep = options.keepInstance ?? RUNNER_INSTANCE;
  const label = [`${LABEL_RUNNER}=1`, `${LABEL_RUNNER_NAME}=${options.runnerName ?? DEFAULT_RUNNER_NAME}`];
  if (options.onlyInstance) label.push(`${LABEL_INSTANCE}=${options.onlyInstance}`);
  const containers = await docker.listContainers({ all: true, filters: { label } });
  const leftovers = containers.filter((info) => info.Labels?.[LABEL_INSTANCE] !== keep);
  await Promise.all(leftovers.map((info) => removeContainer(docker.getContainer(info.Id))));
  return leftovers.length;
}
