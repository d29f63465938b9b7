/**
 * Fetches or reads a replay bundle and validates it off the main thread: a
 * long history is tens of megabytes of JSON and base64, and parsing it in the
 * page would freeze it. Posts `progress` (bytes so far) while downloading,
 * then one `done` with the bundle or one `error`. See bundleLoader.ts.
 */
import { ReplayFormatError } from '../../../shared/replay/bundle.js';
import { checkReplayFileSize, readReplayText } from './readBundle.js';
import type { LoadJob, WorkerReply } from './bundleLoader.js';

const scope = self as unknown as {
  postMessage(message: WorkerReply): void;
  onmessage: ((event: MessageEvent<LoadJob>) => void) | null;
};

scope.onmessage = (event) => {
  void load(event.data).then(
    (bundle) => scope.postMessage({ type: 'done', bundle }),
    (error: unknown) => scope.postMessage(toReply(error)),
  );
};

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function load(job: LoadJob) {
  if (job.kind === 'file') {
    checkReplayFileSize(job.file.size);
    return readReplayText(await job.file.text());
  }
  let response: Response;
  try {
    response = await fetch(`/api/rooms/${encodeURIComponent(job.roomId)}/history`, {
      headers: { authorization: `Bearer ${job.token}` },
    });
  } catch {
    throw new HttpFailure(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) throw await httpFailure(response);
  return readReplayText(await readWithProgress(response));
}

async function readWithProgress(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return response.text();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      parts.push(decoder.decode(value, { stream: true }));
      scope.postMessage({ type: 'progress', bytes });
    }
  } catch {
    throw new HttpFailure(0, 'network', 'The history download was interrupted. Try again.');
  }
  parts.push(decoder.decode());
  return parts.join('');
}

async function httpFailure(response: Response): Promise<HttpFailure> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = body.error ?? {};
    if (typeof code === 'string' && typeof message === 'string')
      return new HttpFailure(response.status, code, message);
  } catch {
    // Not a JSON error body.
  }
  return new HttpFailure(response.status, 'internal', `The server answered ${response.status}.`);
}

function toReply(error: unknown): WorkerReply {
  if (error instanceof HttpFailure)
    return { type: 'error', status: error.status, code: error.code, message: error.message };
  if (error instanceof ReplayFormatError)
    return { type: 'error', status: 0, code: 'format', message: error.message };
  return {
    type: 'error',
    status: 0,
    code: 'internal',
    message: `The replay could not be read: ${String(error)}`,
  };
}
