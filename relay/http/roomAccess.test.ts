import { describe, expect, it } from 'vitest';
import { ruleOf } from './roomAccess.js';

describe('the rights a room route needs', () => {
  it.each([
    ['GET', '', 'member'],
    ['GET', '/files/src/main.py', 'member'],
    ['GET', '/history', 'review'],
    ['GET', '/history/bundle', 'review'],
    ['GET', '/historyx', 'member'],
    ['POST', '/fork', 'review'],
    ['POST', '/history/fork', 'review'],
    ['POST', '/join', 'link'],
    ['PATCH', '', 'manage'],
    ['POST', '/tokens', 'manage'],
    ['POST', '/kick', 'manage'],
    ['POST', '/links/reset', 'manage'],
    ['PUT', '/editors/u1', 'manage'],
    ['DELETE', '/driver', 'manage'],
    ['POST', '/runs', 'edit'],
    ['POST', '/restore', 'edit'],
    ['PUT', '/env/NODE_OPTIONS', 'edit'],
    ['DELETE', '/env/X', 'edit'],
  ])('%s %s needs %s', (method, path, need) => {
    expect(ruleOf(method, path).need).toBe(need);
  });

  it('a write route nobody listed needs the edit right (closed until someone says otherwise)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(ruleOf(method, '/workspace/shell').need).toBe('edit');
    }
    expect(ruleOf('PATCH', '/env/X').need).toBe('edit');
    expect(ruleOf('POST', '/join/extra').need).toBe('edit');
  });
});
