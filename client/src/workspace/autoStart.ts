/**
 * Each web template opens with its preview: a room whose meta names a dev
 * command starts it when someone who may edit opens the room and nobody has
 * yet. Decided once per page load, as soon as this page knows how the
 * workspace stands since joining: not again when the dev server crashes or is
 * stopped (that is a person's call now), never from a viewer's page, and not
 * when another page already started it or the workspace is on its way up.
 */
import { effect, untracked, type ReadonlySignal } from '@preact/signals';
import type { WorkspacePayload } from '../../../shared/protocol/table.js';

export interface AutoStartView {
  /** The relay answered this page's hello: the workspace's status, if it has one, arrived before. */
  greeted: boolean;
  /** The document synced with the relay: a missing `dev` is really missing, not yet to come. */
  synced: boolean;
  /** The room's dev command (`meta.dev`); null for a project that runs rather than serves. */
  dev: string | null;
  /** This page may edit now. */
  canUse: boolean;
  workspace: Pick<WorkspacePayload, 'state' | 'devServer'>;
}

/** Wait for more to be known, leave the workspace alone (for good), or start the dev server. */
export type AutoStartDecision = 'wait' | 'skip' | 'start';

export function autoStartDecision(view: AutoStartView): AutoStartDecision {
  if (!view.greeted) return 'wait';
  if (!view.canUse) return 'skip';
  if ((view.dev?.trim() ?? '') === '') return view.synced ? 'skip' : 'wait';
  const { state, devServer } = view.workspace;
  // Starting: someone else's page asked already (its dev server starts with it). Stopping: someone stopped it.
  if (state === 'starting' || state === 'stopping') return 'skip';
  return devServer?.state === 'running' ? 'skip' : 'start';
}

/** Rooms whose dev server this page load started (or decided not to): a room opened again stays decided. */
const decided = new Set<string>();

/**
 * Applies the decision to a room's live view: `start` is called at most once
 * per room and page load. Returns the stop.
 */
export function watchAutoStart(
  roomId: string,
  view: ReadonlySignal<AutoStartView>,
  start: (command: string) => void,
): () => void {
  return effect(() => {
    if (decided.has(roomId)) return;
    const current = view.value;
    const decision = autoStartDecision(current);
    if (decision === 'wait') return;
    decided.add(roomId);
    if (decision === 'start') untracked(() => start(current.dev!.trim()));
  });
}
