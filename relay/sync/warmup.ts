/**
 * Exercises the Yjs paths a room load and a sync reply take (apply a large
 * update, encode state and state vectors, validate updates) once at startup, so
 * the first person to open a room after a restart does not wait for the JIT:
 * a cold process applies a 100k-character document about 10x slower than a warm
 * one (bench/coldLoad.ts). Costs a few tens of milliseconds before the relay
 * listens; touches no room.
 */
import * as Y from 'yjs';
import { validateUpdate } from '../../shared/sync/validateUpdate.js';

const EDITS = 500;
const ROUNDS = 1;

export function warmUpYjs(): void {
  const source = new Y.Doc();
  const text = source.getText('t');
  const files = source.getMap('files');
  const updates: Uint8Array[] = [];
  source.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < EDITS; i++) {
    const at = (i * 7919) % (text.length + 1);
    if (i % 5 === 4 && text.length > 2) text.delete(at % text.length, 1);
    else text.insert(at, String.fromCharCode(97 + (i % 26)));
    if (i % 100 === 0) files.set(`f${i}`, new Y.Text(`file ${i}`));
  }
  for (const update of updates) validateUpdate(update);
  const state = Y.encodeStateAsUpdate(source);
  for (let round = 0; round < ROUNDS; round++) {
    const target = new Y.Doc();
    Y.applyUpdate(target, state);
    const replay = new Y.Doc();
    replay.transact(() => {
      for (const update of updates) Y.applyUpdate(replay, update);
    });
    Y.encodeStateAsUpdate(target, Y.encodeStateVector(new Y.Doc()));
    validateUpdate(Y.encodeStateAsUpdate(replay));
    target.destroy();
    replay.destroy();
  }
  source.destroy();
}
