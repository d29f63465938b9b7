import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, defaultEntry } from '../shared/languages.js';
import { WEB_PACKAGES } from '../shared/schema/templates.js';
import {
  IMAGE_FAMILIES,
  LANGUAGE_SPECS,
  builtImage,
  imageEnvVar,
  recipeHash,
  resolveImage,
} from './languages.js';

const BUILD_IMAGES = fileURLToPath(new URL('../scripts/build-images', import.meta.url));

describe('languages', () => {
  it('has a spec for every language, with the shared default entry', () => {
    for (const { id } of LANGUAGES) {
      const spec = LANGUAGE_SPECS[id];
      expect(spec.id).toBe(id);
      expect(spec.entry).toBe(defaultEntry(id));
      expect(IMAGE_FAMILIES).toContain(spec.family);
      if (spec.extensions) expect(spec.extensions.some((ext) => spec.entry.endsWith(ext))).toBe(true);
      // The entry is only ever "$1": never spliced into the script.
      expect(spec.script).toMatch(/"\.\/\$1"|"\.\/\$entry"|entry=\$1/);
    }
  });

  it('caches in the workspace image exactly the web templates’ packages', () => {
    const cached = JSON.parse(
      readFileSync(new URL('./images/workspace.npm.json', import.meta.url), 'utf8'),
    ) as { dependencies: Record<string, string> };
    expect(cached.dependencies).toEqual(WEB_PACKAGES);
  });

  it('computes the same image tags as scripts/build-images', () => {
    const printed = execFileSync(BUILD_IMAGES, ['--print-tags'], { encoding: 'utf8' });
    const expected = IMAGE_FAMILIES.map((family) => `${family} ${builtImage(family)}`).join('\n');
    expect(printed.trim()).toBe(expected);
    expect(recipeHash('python')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('resolves the built image by default and the configured one when set', () => {
    expect(resolveImage('cpp', {})).toBe(builtImage('native'));
    expect(resolveImage('typescript', {})).toBe(builtImage('node'));
    expect(imageEnvVar('cpp')).toBe('TANDEM_IMAGE_CPP');
    expect(resolveImage('python', { TANDEM_IMAGE_PYTHON: 'python:3.12-slim' })).toBe('python:3.12-slim');
    expect(
      resolveImage('java', {
        TANDEM_IMAGE_JAVA: 'registry.example:5000/team/jdk:21@sha256:' + 'a'.repeat(64),
      }),
    ).toBe('registry.example:5000/team/jdk:21@sha256:' + 'a'.repeat(64));
    expect(resolveImage('python', { TANDEM_IMAGE_PYTHON: '  ' })).toBe(builtImage('python'));
  });

  it('refuses a configured image that is not an image reference', () => {
    for (const bad of ['Python:3', 'python 3', '../etc', '-v/:/host', 'python;rm', 'a:b:c']) {
      expect(() => resolveImage('python', { TANDEM_IMAGE_PYTHON: bad }), bad).toThrow(
        /not an image reference/,
      );
    }
  });
});
