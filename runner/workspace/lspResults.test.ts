import { describe, expect, it } from 'vitest';
import { normalizeDiagnostics, normalizeResult, ProjectUris } from './lspResults.js';

const uris = new ProjectUris('/work/project');
const range = (line: number, from: number, to: number) => ({
  start: { line, character: from },
  end: { line, character: to },
});

describe('language server answers in their wire shape', () => {
  it('maps project files to paths and back, and nothing else', () => {
    expect(uris.rootUri).toBe('file:///work/project');
    expect(uris.uri('lib/a b#.py')).toBe('file:///work/project/lib/a%20b%23.py');
    expect(uris.path('file:///work/project/lib/a%20b%23.py')).toBe('lib/a b#.py');
    expect(uris.path('file:///usr/lib/python3.11/os.py')).toBeNull();
    expect(uris.path('file:///work/projectile/x.py')).toBeNull();
    expect(uris.path('file:///work/project/../etc/passwd')).toBeNull();
    expect(uris.path('untitled:x')).toBeNull();
  });

  it('turns every form of hover text into one markup', () => {
    expect(normalizeResult('hover', { contents: 'plain **md**' }, uris)).toEqual({
      contents: { kind: 'markdown', value: 'plain **md**' },
    });
    expect(normalizeResult('hover', { contents: { language: 'python', value: 'f(x)' } }, uris)).toEqual({
      contents: { kind: 'markdown', value: '```python\nf(x)\n```' },
    });
    expect(
      normalizeResult(
        'hover',
        { contents: [{ language: 'c', value: 'int x' }, 'doc'], range: range(0, 1, 2) },
        uris,
      ),
    ).toEqual({
      contents: { kind: 'markdown', value: '```c\nint x\n```\n\n---\n\ndoc' },
      range: range(0, 1, 2),
    });
    expect(normalizeResult('hover', { contents: { kind: 'plaintext', value: 'a < b' } }, uris)).toEqual({
      contents: { kind: 'plaintext', value: 'a < b' },
    });
    expect(normalizeResult('hover', { contents: '' }, uris)).toBeNull();
    expect(normalizeResult('hover', { contents: 42 }, uris)).toBeNull();
  });

  it('keeps completions’ text and drops their commands and extra edits', () => {
    const item = {
      label: 'path',
      kind: 9,
      insertText: 'path',
      command: { title: 'x', command: 'rm -rf' },
      additionalTextEdits: [{ range: range(0, 0, 0), newText: 'import evil\n' }],
    };
    expect(normalizeResult('completion', [item], uris)).toEqual({
      isIncomplete: false,
      items: [{ label: 'path', kind: 9, insertText: 'path' }],
    });
    expect(normalizeResult('completion', { isIncomplete: true, items: [] }, uris)).toEqual({
      isIncomplete: true,
      items: [],
    });
    expect(normalizeResult('completion', null, uris)).toEqual({ isIncomplete: false, items: [] });
  });

  it('keeps definitions inside the project, from Location and LocationLink alike', () => {
    const answer = [
      { uri: 'file:///work/project/lib/shapes.py', range: range(3, 4, 8) },
      { uri: 'file:///usr/lib/python3.11/os.py', range: range(1, 0, 1) },
      {
        targetUri: 'file:///work/project/main.c',
        targetRange: range(0, 0, 9),
        targetSelectionRange: range(2, 5, 9),
      },
    ];
    expect(normalizeResult('definition', answer, uris)).toEqual([
      { path: 'lib/shapes.py', range: range(3, 4, 8) },
      { path: 'main.c', range: range(2, 5, 9) },
    ]);
    expect(
      normalizeResult('definition', { uri: 'file:///work/project/a.py', range: range(0, 0, 1) }, uris),
    ).toEqual([{ path: 'a.py', range: range(0, 0, 1) }]);
  });

  it('flattens a symbol tree, naming each symbol’s container', () => {
    const tree = [
      {
        name: 'Shape',
        kind: 5,
        range: range(0, 0, 10),
        selectionRange: range(0, 6, 11),
        children: [{ name: 'area', kind: 6, range: range(1, 4, 9), selectionRange: range(1, 8, 12) }],
      },
    ];
    expect(normalizeResult('documentSymbol', tree, uris)).toEqual([
      { name: 'Shape', kind: 5, range: range(0, 0, 10), selectionRange: range(0, 6, 11) },
      {
        name: 'area',
        kind: 6,
        range: range(1, 4, 9),
        selectionRange: range(1, 8, 12),
        containerName: 'Shape',
      },
    ]);
  });

  it('orders diagnostics errors first, with a default severity and codes as text', () => {
    expect(
      normalizeDiagnostics([
        { range: range(1, 0, 1), severity: 2, message: 'unused', code: 401 },
        { range: range(0, 0, 1), message: 'invalid syntax', source: 'pyflakes' },
      ]),
    ).toEqual([
      { range: range(0, 0, 1), severity: 1, message: 'invalid syntax', source: 'pyflakes' },
      { range: range(1, 0, 1), severity: 2, message: 'unused', code: '401' },
    ]);
    expect(normalizeDiagnostics([{ message: 'no range' }])).toBeNull();
  });
});
