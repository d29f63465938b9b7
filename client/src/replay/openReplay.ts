/**
 * From a room or a file to a replay ready to watch: the bundle (downloaded and
 * validated in a worker), Monaco (loaded meanwhile), then the engine, built in
 * slices with progress so the page keeps drawing.
 */
import { ReplayEngine } from '../../../shared/replay/engine.js';
import { loadBundle, type LoadJob } from './bundleLoader.js';
import type { MonacoApi } from './ReplayEditor.js';
import { ReplaySession, type ReplaySource } from './replaySession.js';

export type LoadPhase = { step: 'download'; bytes: number } | { step: 'build'; done: number; total: number };

export interface OpenedReplay {
  session: ReplaySession;
  monaco: MonacoApi;
}

export async function openReplay(
  job: LoadJob,
  source: Promise<ReplaySource>,
  onPhase: (phase: LoadPhase) => void,
  signal: AbortSignal,
): Promise<OpenedReplay> {
  const monacoLoad = import('../editor/monaco.js');
  onPhase({ step: 'download', bytes: 0 });
  const [bundle, kit, resolved] = await Promise.all([
    loadBundle(job, { signal, onProgress: (bytes) => onPhase({ step: 'download', bytes }) }),
    monacoLoad,
    source,
  ]);
  onPhase({ step: 'build', done: 0, total: bundle.entries.length });
  let engine: ReplayEngine;
  try {
    engine = await ReplayEngine.buildAsync(bundle.entries, {
      signal,
      onProgress: ({ done, total }) => onPhase({ step: 'build', done, total }),
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`This replay cannot be played: ${(error as Error).message}`, { cause: error });
  }
  return { session: new ReplaySession(bundle, engine, resolved), monaco: kit.monaco };
}
