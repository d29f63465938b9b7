/**
 * Gets a replay bundle, from the relay (`GET /api/rooms/:roomId/history`) or
 * from a file the person opened, through bundleWorker.ts so the page stays
 * responsive while megabytes are parsed. A relay error arrives as ApiError
 * (the relay's sentence), a bad file as ReplayFormatError.
 */
import { ReplayFormatError, type ReplayBundle } from '../../../shared/replay/bundle.js';
import { isErrorCode } from '../../../shared/protocol/errors.js';
import { ApiError } from '../lib/api.js';

export type LoadJob = { kind: 'room'; roomId: string; token: string } | { kind: 'file'; file: File };

export type WorkerReply =
  | { type: 'progress'; bytes: number }
  | { type: 'done'; bundle: ReplayBundle }
  | { type: 'error'; status: number; code: string; message: string };

export function loadBundle(
  job: LoadJob,
  options: { onProgress?: (bytes: number) => void; signal?: AbortSignal } = {},
): Promise<ReplayBundle> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bundleWorker.ts', import.meta.url), { type: 'module' });
    const finish = () => {
      worker.terminate();
      options.signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      finish();
      reject(options.signal!.reason);
    };
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort);
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') return options.onProgress?.(reply.bytes);
      finish();
      if (reply.type === 'done') resolve(reviveUsers(reply.bundle));
      else reject(toError(reply));
    };
    worker.onerror = (event) => {
      finish();
      reject(new Error(`The replay reader failed to start: ${event.message || 'unknown error'}`));
    };
    worker.postMessage(job);
  });
}

/** Structured cloning drops the null prototype the bundle's users map promises. */
function reviveUsers(bundle: ReplayBundle): ReplayBundle {
  return { ...bundle, users: Object.assign(Object.create(null) as ReplayBundle['users'], bundle.users) };
}

function toError(reply: Extract<WorkerReply, { type: 'error' }>): Error {
  if (reply.code === 'format') return new ReplayFormatError(reply.message);
  if (reply.code === 'network') return new ApiError(0, 'network', reply.message);
  return new ApiError(reply.status, isErrorCode(reply.code) ? reply.code : 'internal', reply.message);
}
