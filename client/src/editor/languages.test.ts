import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../../shared/schema/templates.js';
import { languageOf } from './languages.js';

describe('languageOf', () => {
  it('highlights every template language', () => {
    for (const template of TEMPLATES) {
      for (const path of Object.keys(template.files)) expect(languageOf(path)).not.toBe('plaintext');
    }
  });

  it('knows names without an extension and falls back to plain text', () => {
    expect(languageOf('docker/Dockerfile')).toBe('dockerfile');
    expect(languageOf('notes')).toBe('plaintext');
    expect(languageOf('.env')).toBe('plaintext');
    expect(languageOf('src/Main.JAVA')).toBe('java');
  });
});
