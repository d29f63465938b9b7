import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable, runnerConfigTable } from './configTable.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands', () => {
    const firstBlock = readme.slice(0, readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('has the configuration table of relay/config.ts, row for row', () => {
    const table = readme.split('<!-- config:start -->')[1]?.split('<!-- config:end -->')[0]?.trim();
    expect(table).toBe(configTable());
  });

  it('has the configuration table of runner/config.ts, row for row', () => {
    const table = readme
      .split('<!-- runner-config:start -->')[1]
      ?.split('<!-- runner-config:end -->')[0]
      ?.trim();
    expect(table).toBe(runnerConfigTable());
  });
});
