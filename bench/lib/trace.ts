/**
 * Real editing traces (josephg's editing-traces), read by path from the shared
 * folder and never copied into the project. Positions in the files count
 * Unicode code points; Y.Text counts UTF-16 code units, so a trace with astral
 * characters is converted once, before any timing starts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type * as Y from 'yjs';
import { nextTurn } from './clients.js';

export const AUTOMERGE_PAPER = resolve(
  import.meta.dirname,
  '../../../shared/traces/sequential_automerge-paper.json.gz',
);

/** [position, deleteCount, insertText], positions in UTF-16 code units. */
export type Patch = [number, number, string];

export interface Trace {
  startContent: string;
  endContent: string;
  txns: Patch[][];
  patchCount: number;
}

interface RawTrace {
  startContent: string;
  endContent: string;
  txns: { patches: Patch[] }[];
}

const SURROGATE = /[\uD800-\uDFFF]/;

let cached: { path: string; trace: Trace } | undefined;

export function loadTrace(path = AUTOMERGE_PAPER): Trace {
  if (cached?.path === path) return cached.trace;
  const raw = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as RawTrace;
  let txns = raw.txns.map((txn) => txn.patches);
  const astral =
    SURROGATE.test(raw.startContent) ||
    txns.some((patches) => patches.some(([, , text]) => SURROGATE.test(text)));
  if (astral) txns = toUtf16(raw.startContent, txns);
  const trace = {
    startContent: raw.startContent,
    endContent: raw.endContent,
    txns,
    patchCount: txns.reduce((sum, patches) => sum + patches.length, 0),
  };
  cached = { path, trace };
  return trace;
}

/** Replays the trace on an array of code points to turn code point offsets into UTF-16 ones. */
function toUtf16(startContent: string, txns: Patch[][]): Patch[][] {
  const points = Array.from(startContent);
  const utf16Length = (from: number, to: number) => {
    let length = 0;
    for (let i = from; i < to; i++) length += points[i]!.length;
    return length;
  };
  return txns.map((patches) =>
    patches.map(([position, deleteCount, text]): Patch => {
      const converted: Patch = [
        utf16Length(0, position),
        utf16Length(position, position + deleteCount),
        text,
      ];
      points.splice(position, deleteCount, ...Array.from(text));
      return converted;
    }),
  );
}

export function applyTxn(text: Y.Text, patches: Patch[]): void {
  for (const [position, deleteCount, insert] of patches) {
    if (deleteCount > 0) text.delete(position, deleteCount);
    if (insert.length > 0) text.insert(position, insert);
  }
}

/** Types the whole trace synchronously, one Yjs transaction per trace transaction. */
export function typeTraceSync(doc: Y.Doc, text: Y.Text, trace: Trace): void {
  for (const patches of trace.txns) doc.transact(() => applyTxn(text, patches));
}

/**
 * Types the whole trace as fast as possible, one Yjs transaction per trace
 * transaction, yielding to the event loop every `sliceMs` of work so that
 * sockets (and a receiver in the same process) make progress.
 */
export async function typeTrace(doc: Y.Doc, text: Y.Text, trace: Trace, sliceMs = 10): Promise<void> {
  let sliceStart = performance.now();
  const { txns } = trace;
  for (let i = 0; i < txns.length; i++) {
    const patches = txns[i]!;
    doc.transact(() => applyTxn(text, patches));
    if ((i & 63) === 63 && performance.now() - sliceStart > sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
