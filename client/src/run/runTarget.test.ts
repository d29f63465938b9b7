import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { defaultEntryFor, defaultLanguage, entryCandidates, RunTarget } from './runTarget.js';

const meta = (language: string | null, entry: string | null) => ({ language, entry });

describe('run target', () => {
  it('takes the language from the meta, else from the open file', () => {
    expect(defaultLanguage('go', 'main.py')).toBe('go');
    expect(defaultLanguage(null, 'src/app.ts')).toBe('typescript');
    expect(defaultLanguage('cobol', 'README.md')).toBe('python');
  });

  it('takes the meta entry when its language matches, else the default entry, else the open file', () => {
    const paths = ['main.py', 'tools/run.py', 'main.js'];
    expect(defaultEntryFor('python', paths, meta('python', 'tools/run.py'), null)).toBe('tools/run.py');
    expect(defaultEntryFor('python', paths, meta('javascript', 'main.js'), 'tools/run.py')).toBe('main.py');
    expect(defaultEntryFor('python', ['a.py', 'b.py'], meta(null, null), 'b.py')).toBe('b.py');
    expect(defaultEntryFor('python', ['a.py', 'b.py'], meta(null, null), 'notes.md')).toBe('a.py');
    expect(defaultEntryFor('rust', paths, meta(null, null), null)).toBe('main.rs');
  });

  it('lists entry candidates of the language, without headers', () => {
    expect(entryCandidates(['b.c', 'a.c', 'a.h', 'x.cpp'], 'c')).toEqual(['a.c', 'b.c']);
  });

  it('keeps a pick while it fits and follows the project otherwise', () => {
    const paths = signal(['main.py', 'other.py', 'main.js']);
    const target = new RunTarget({
      paths,
      openPath: signal('other.py'),
      metaLanguage: signal('python'),
      metaEntry: signal('main.py'),
    });
    expect([target.language.value, target.entry.value]).toEqual(['python', 'main.py']);
    target.pickEntry('other.py');
    expect(target.entry.value).toBe('other.py');
    paths.value = ['main.py', 'main.js'];
    expect(target.entry.value).toBe('main.py');
    target.pickLanguage('javascript');
    expect([target.language.value, target.entry.value]).toEqual(['javascript', 'main.js']);
  });
});
