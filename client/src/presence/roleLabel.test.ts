import { describe, expect, it } from 'vitest';
import { roleLabel } from './roleLabel.js';

describe('roleLabel', () => {
  it('uses interview wording in interview rooms only', () => {
    expect(roleLabel('editor', 'interview')).toBe('candidate');
    expect(roleLabel('owner', 'interview')).toBe('interviewer (host)');
    expect(roleLabel('interviewer', 'interview')).toBe('interviewer');
    expect(roleLabel('viewer', 'interview')).toBe('observer');
    expect(roleLabel('editor', 'pair')).toBe('editor');
    expect(roleLabel('owner', undefined)).toBe('owner');
  });
});
