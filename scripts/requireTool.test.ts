import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chromiumPath, requireOrSkip } from './requireTool.js';

describe('requireOrSkip', () => {
  let savedCi: string | undefined;

  beforeEach(() => {
    savedCi = process.env.CI;
  });

  afterEach(() => {
    if (savedCi === undefined) delete process.env.CI;
    else process.env.CI = savedCi;
    vi.restoreAllMocks();
  });

  it('does not skip when the tool is available, in CI or not', () => {
    process.env.CI = 'true';
    expect(requireOrSkip('Docker', true)).toBe(false);
    delete process.env.CI;
    expect(requireOrSkip('Docker', true)).toBe(false);
  });

  it('throws under CI=true when the tool is missing', () => {
    process.env.CI = 'true';
    expect(() => requireOrSkip('Docker', false)).toThrow(/Docker is required in CI/);
  });

  it('warns loudly and skips locally when the tool is missing', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireOrSkip('Chromium', false)).toBe(true);
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/Chromium is not available: SKIPPING/);
  });
});

describe('chromiumPath', () => {
  it('returns an absolute path or null', () => {
    const path = chromiumPath();
    expect(path === null || path.startsWith('/')).toBe(true);
  });
});
