/**
 * Undo for files someone else deleted. A Y.UndoManager over the file list (and
 * the made folders, which a folder's deletion takes along) records only the transactions it is handed (remote ones that deleted files),
 * each as its own step; undoing one is an ordinary local edit that brings every
 * file back under its old id with its text as it was, and syncs to everyone.
 *
 * The manager keeps what a recorded transaction deleted from being garbage
 * collected, so steps are dropped (`release`) once nothing can undo them.
 */
import * as Y from 'yjs';

/** Where a step keeps the key it is undone by. */
const KEY = 'tandem.deletion';

export type DeletionKey = object;

export class DeletionUndo {
  private readonly manager: Y.UndoManager;
  private capturing: { transaction: Y.Transaction; key: DeletionKey } | null = null;
  /** Keys a notice still offers to undo. */
  private readonly live = new Set<DeletionKey>();

  constructor(scope: Y.Map<unknown>[], remoteOrigin: unknown) {
    this.manager = new Y.UndoManager(scope, {
      trackedOrigins: new Set([remoteOrigin]),
      // Every deletion is its own step, however close together they come.
      captureTimeout: 0,
      captureTransaction: (transaction) => transaction === this.capturing?.transaction,
      // Undo brings back what was deleted and never deletes what came with it.
      deleteFilter: () => false,
    });
    this.manager.on('stack-item-added', ({ stackItem }) => {
      if (this.capturing) stackItem.meta.set(KEY, this.capturing.key);
      this.capturing = null;
    });
  }

  /** Records `transaction`, a remote one that deleted files and has not finished yet. */
  record(transaction: Y.Transaction): DeletionKey {
    const key = {};
    this.capturing = { transaction, key };
    this.live.add(key);
    return key;
  }

  /** Brings back what the step `key` deleted; false if it cannot be undone (any more). */
  undo(key: DeletionKey): boolean {
    const manager = this.manager;
    const step = manager.undoStack.find((item) => item.meta.get(KEY) === key);
    if (!step) return false;
    // The manager undoes the newest step, and goes on to the next if one changes
    // nothing: offered this one alone, it undoes exactly this one.
    const others = manager.undoStack.filter((item) => item !== step);
    manager.undoStack = [step];
    try {
      return manager.undo() !== null;
    } finally {
      manager.undoStack = others;
      this.release(key);
    }
  }

  /** Nothing will undo `key` any more; once no key is live, every step goes. */
  release(key: DeletionKey): void {
    this.live.delete(key);
    if (this.live.size === 0) this.manager.clear();
  }

  destroy(): void {
    this.manager.destroy();
  }
}
