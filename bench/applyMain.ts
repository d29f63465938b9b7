/**
 * Times one `Y.applyUpdate` of a stored state into a fresh doc in a process
 * that has never run Yjs before: the JIT is as cold as a relay's after a
 * restart. Prints `{"ms":N}`. Usage: node --import tsx bench/applyMain.ts FILE
 */
import { readFileSync } from 'node:fs';
import * as Y from 'yjs';

const state = readFileSync(process.argv[2]!);
const doc = new Y.Doc();
const start = performance.now();
Y.applyUpdate(doc, state);
const elapsed = performance.now() - start;
console.log(JSON.stringify({ ms: elapsed }));
