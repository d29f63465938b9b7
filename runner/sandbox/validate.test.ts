import { describe, expect, it } from 'vitest';
import { LIMIT_BOUNDS, type Job } from './types.js';
import { JobError, clampLimits, validateJob } from './validate.js';
import { TEST_LIMITS } from './testing.js';

const job = (overrides: Partial<Job>): Job => ({
  runId: 'run-1',
  language: 'python',
  entry: 'main.py',
  files: { 'main.py': 'print(1)' },
  limits: TEST_LIMITS,
  ...overrides,
});

describe('validateJob', () => {
  it('accepts a normal job and keeps it', () => {
    const valid = validateJob(job({ files: { 'main.py': 'x', 'pkg/a.py': 'y', 'pkg/sub/b.txt': '' } }));
    expect(valid.entry).toBe('main.py');
    expect(valid.limits).toEqual(TEST_LIMITS);
  });

  it.each([
    ['../evil.py'],
    ['a/../../evil.py'],
    ['./main2.py'],
    ['/etc/passwd'],
    ['a\\b.py'],
    ['a//b.py'],
    ['a/'],
    [' main2.py'],
    ['line\nbreak.py'],
    ['nul\0.py'],
    [''],
  ])('refuses the file path %j', (path) => {
    expect(() => validateJob(job({ files: { 'main.py': 'x', [path]: 'y' } }))).toThrow(JobError);
  });

  it('refuses an entry outside the project or with the wrong extension', () => {
    expect(() => validateJob(job({ entry: '../main.py' }))).toThrow(JobError);
    expect(() => validateJob(job({ entry: 'other.py' }))).toThrow(/not in the project/);
    expect(() => validateJob(job({ language: 'java', entry: 'main.py' }))).toThrow(/\.java/);
  });

  it('refuses a path that is both a file and a folder', () => {
    expect(() => validateJob(job({ files: { 'main.py': 'x', lib: 'x', 'lib/a.py': 'y' } }))).toThrow(
      /file and a folder/,
    );
  });

  it('refuses an unknown language, a bad run id, a project larger than the disk', () => {
    expect(() => validateJob(job({ language: 'cobol' as never }))).toThrow(/unknown language/);
    expect(() => validateJob(job({ runId: 'a b' }))).toThrow(/run id/);
    const big = 'x'.repeat(TEST_LIMITS.diskBytes + 1);
    expect(() => validateJob(job({ files: { 'main.py': big } }))).toThrow(/disk limit/);
  });

  it('checks environment variable names and values', () => {
    expect(validateJob(job({ env: { OK_1: 'a\nb', _X: '' } })).env).toEqual({ OK_1: 'a\nb', _X: '' });
    for (const name of ['1X', 'A-B', 'A=B', '', 'A B', 'É']) {
      expect(() => validateJob(job({ env: { [name]: 'v' } })), name).toThrow(/environment variable name/);
    }
    expect(() => validateJob(job({ env: { A: 'nul\0' } }))).toThrow(/NUL/);
  });
});

describe('clampLimits', () => {
  it('clamps every limit into its bounds and floors it', () => {
    const clamped = clampLimits({
      timeoutMs: 1e12,
      memoryBytes: 1,
      pids: 100.7,
      cpuMillis: -5,
      outputBytes: 5000,
      diskBytes: 1e15,
    });
    expect(clamped).toEqual({
      timeoutMs: LIMIT_BOUNDS.timeoutMs[1],
      memoryBytes: LIMIT_BOUNDS.memoryBytes[0],
      pids: 100,
      cpuMillis: LIMIT_BOUNDS.cpuMillis[0],
      outputBytes: 5000,
      diskBytes: LIMIT_BOUNDS.diskBytes[1],
    });
  });

  it('refuses a missing or non-numeric limit', () => {
    expect(() => clampLimits({ ...TEST_LIMITS, pids: Number.NaN })).toThrow(/pids/);
    expect(() => clampLimits({ ...TEST_LIMITS, timeoutMs: '5' as never })).toThrow(/timeoutMs/);
  });
});
