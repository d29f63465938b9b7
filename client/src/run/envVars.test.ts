import { describe, expect, it } from 'vitest';
import { asSentence, ENV_VALUE_MAX_CHARS, envNameProblem, envValueProblem } from './envVars.js';

describe('envNameProblem', () => {
  it('accepts the names the relay accepts', () => {
    for (const name of ['API_KEY', '_private', 'a', 'x1', 'A'.repeat(128)]) {
      expect(envNameProblem(name), name).toBeNull();
    }
  });

  it('says why a name is refused', () => {
    expect(envNameProblem('')).toMatch(/name/);
    expect(envNameProblem('1KEY')).toMatch(/cannot start with a digit/);
    expect(envNameProblem('MY-KEY')).toMatch(/letters, digits and _/);
    expect(envNameProblem('MY KEY')).toMatch(/letters, digits and _/);
    expect(envNameProblem('ÉTÉ')).toMatch(/letters, digits and _/);
    expect(envNameProblem('A'.repeat(129))).toMatch(/at most 128/);
  });
});

describe('envValueProblem', () => {
  it('allows up to 32 KiB, empty included', () => {
    expect(envValueProblem('')).toBeNull();
    expect(envValueProblem('x'.repeat(ENV_VALUE_MAX_CHARS))).toBeNull();
    expect(envValueProblem('x'.repeat(ENV_VALUE_MAX_CHARS + 1))).toMatch(/32 KiB/);
  });
});

describe('asSentence', () => {
  it('capitalises and ends the relay reason', () => {
    expect(asSentence('a room has at most 100 variables')).toBe('A room has at most 100 variables.');
    expect(asSentence('Already a sentence.')).toBe('Already a sentence.');
  });
});
