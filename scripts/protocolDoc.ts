/**
 * Rewrites the grammar block of shared/protocol/PROTOCOL.md from the protocol
 * table, so the document cannot drift from what the codec accepts.
 * `npm run protocol:doc`; scripts/protocolDoc.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protocolGrammar } from '../shared/protocol/codec.js';

export const PROTOCOL_DOC = fileURLToPath(new URL('../shared/protocol/PROTOCOL.md', import.meta.url));
const START = '<!-- grammar:start -->';
const END = '<!-- grammar:end -->';

/** The document with its grammar block replaced by the current one. */
export function withGrammar(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`PROTOCOL.md has no ${START} … ${END} block`);
  return `${doc.slice(0, start + START.length)}\n\`\`\`\n${protocolGrammar()}\n\`\`\`\n${doc.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  const next = withGrammar(doc);
  if (next !== doc) writeFileSync(PROTOCOL_DOC, next);
  console.log(next === doc ? 'PROTOCOL.md grammar is current' : 'PROTOCOL.md grammar rewritten');
}
