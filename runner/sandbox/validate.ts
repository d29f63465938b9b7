/**
 * Checks a job before anything reaches Docker. Everything here is user
 * controlled (paths, entry, env, stdin) or relay controlled (limits); none of it
 * may reach an image name, a mount, a working directory or a host path, and a
 * path must stay inside /work when unpacked.
 */
import { isLanguageId } from '../../shared/languages.js';
import { PathError, normalizePath } from '../../shared/schema/paths.js';
import { LANGUAGE_SPECS } from '../languages.js';
import { LIMIT_BOUNDS, type Job, type RunLimits } from './types.js';
import { RUN_ID_PATTERN } from '../../shared/protocol/table.js';

export const FILES_MAX_COUNT = 2000;
export const ENV_MAX_COUNT = 100;
export const ENV_MAX_BYTES = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export class JobError extends Error {
  override name = 'JobError';
}

/** The job with its limits clamped; throws JobError with a sentence for people. */
export function validateJob(job: Job): Job {
  if (!RUN_ID_PATTERN.test(job.runId)) throw new JobError('invalid run id');
  if (!isLanguageId(job.language)) throw new JobError(`unknown language ${JSON.stringify(job.language)}`);
  const spec = LANGUAGE_SPECS[job.language];
  validateFiles(job.files);
  const entry = checkedPath(job.entry, 'entry');
  if (!Object.hasOwn(job.files, entry)) throw new JobError(`entry file ${entry} is not in the project`);
  if (spec.extensions && !spec.extensions.some((ext) => entry.endsWith(ext))) {
    throw new JobError(`a ${job.language} entry file must end with ${spec.extensions.join(' or ')}`);
  }
  const limits = clampLimits(job.limits);
  const bytes = Object.values(job.files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (bytes > limits.diskBytes) {
    throw new JobError(`the project is ${bytes} bytes, more than the ${limits.diskBytes}-byte disk limit`);
  }
  if (job.env) validateEnv(job.env);
  return { ...job, limits };
}

function checkedPath(path: string, what: string): string {
  let normal: string;
  try {
    normal = normalizePath(path);
  } catch (error) {
    const reason = error instanceof PathError ? error.message : 'invalid';
    throw new JobError(`${what} ${JSON.stringify(String(path).slice(0, 100))}: ${reason}`);
  }
  // Refuse rather than rewrite: " a.py" and "a.py" must not silently collide.
  if (normal !== path)
    throw new JobError(`${what} ${JSON.stringify(path.slice(0, 100))} is not a canonical path`);
  return normal;
}

function validateFiles(files: Record<string, string>): void {
  if (typeof files !== 'object' || files === null) throw new JobError('files must be an object');
  const paths = Object.keys(files);
  if (paths.length > FILES_MAX_COUNT) throw new JobError(`more than ${FILES_MAX_COUNT} files`);
  const dirs = new Set<string>();
  for (const path of paths) {
    checkedPath(path, 'file');
    if (typeof files[path] !== 'string') throw new JobError(`file ${path} has no text content`);
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
  }
  // "a" as a file and "a/b" would make tar replace one with the other.
  for (const path of paths) {
    if (dirs.has(path)) throw new JobError(`${path} is both a file and a folder`);
  }
}

function validateEnv(env: Record<string, string>): void {
  const entries = Object.entries(env);
  if (entries.length > ENV_MAX_COUNT) throw new JobError(`more than ${ENV_MAX_COUNT} environment variables`);
  let bytes = 0;
  for (const [name, value] of entries) {
    if (!ENV_NAME.test(name)) throw new JobError(`invalid environment variable name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new JobError(`environment variable ${name} must be text without NUL`);
    }
    bytes += name.length + Buffer.byteLength(value);
  }
  if (bytes > ENV_MAX_BYTES) throw new JobError(`environment variables exceed ${ENV_MAX_BYTES} bytes`);
}

/** Every limit as an integer within LIMIT_BOUNDS; throws on a missing or non-numeric one. */
export function clampLimits(limits: RunLimits): RunLimits {
  const out = {} as RunLimits;
  for (const key of Object.keys(LIMIT_BOUNDS) as (keyof RunLimits)[]) {
    const value = limits?.[key];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new JobError(`limit ${key} is not a number`);
    out[key] = clampInto(value, LIMIT_BOUNDS[key]);
  }
  return out;
}

/** A whole number within [min, max]. */
export function clampInto(value: number, [min, max]: readonly [number, number]): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
