import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_DOC, withGrammar } from './protocolDoc.js';

describe('PROTOCOL.md', () => {
  it('carries the grammar the codec accepts, as `npm run protocol:doc` writes it', () => {
    const doc = readFileSync(PROTOCOL_DOC, 'utf8');
    expect(withGrammar(doc)).toBe(doc);
  });

  it('refuses a document without the grammar markers instead of appending somewhere', () => {
    expect(() => withGrammar('# Protocol\n')).toThrow(/grammar:start/);
  });
});
