import { describe, expect, it } from 'vitest';
import { defaultDevCommand, FLASK_COMMAND, STATIC_COMMAND } from './devCommand.js';

const project = (files: Record<string, string>) => (path: string) => files[path] ?? null;

describe('defaultDevCommand', () => {
  it('prefers the package.json dev script, then start', () => {
    const both = JSON.stringify({ scripts: { dev: 'vite', start: 'node server.js' } });
    expect(defaultDevCommand(project({ 'package.json': both, 'index.html': '' }))).toBe('npm run dev');
    const start = JSON.stringify({ scripts: { start: 'node server.js' } });
    expect(defaultDevCommand(project({ 'package.json': start }))).toBe('npm start');
  });

  it('falls through a package.json without those scripts, or that is not JSON', () => {
    const test = JSON.stringify({ scripts: { test: 'vitest' } });
    expect(defaultDevCommand(project({ 'package.json': test, 'index.html': '<h1>' }))).toBe(STATIC_COMMAND);
    expect(defaultDevCommand(project({ 'package.json': '{ not json', 'index.html': '' }))).toBe(
      STATIC_COMMAND,
    );
    expect(defaultDevCommand(project({ 'package.json': 'null' }))).toBe('');
  });

  it('runs a Flask app.py with flask, before a static index.html', () => {
    const app = 'from flask import Flask\napp = Flask(__name__)\n';
    expect(defaultDevCommand(project({ 'app.py': app, 'index.html': '' }))).toBe(FLASK_COMMAND);
    expect(defaultDevCommand(project({ 'app.py': 'print("hi")' }))).toBe('');
  });

  it('takes the room’s own dev command (meta.dev) before any guess from the files', () => {
    const files = project({ 'package.json': JSON.stringify({ scripts: { dev: 'vite' } }) });
    const own = 'npm install --no-audit --no-fund && npm run dev';
    expect(defaultDevCommand(files, own)).toBe(own);
    expect(defaultDevCommand(project({}), '  flask --app app run  ')).toBe('flask --app app run');
    // A blank one is no command: the files decide.
    expect(defaultDevCommand(files, '  ')).toBe('npm run dev');
    expect(defaultDevCommand(files, null)).toBe('npm run dev');
  });

  it('suggests nothing for a project with none of those files', () => {
    expect(defaultDevCommand(project({ 'main.py': 'print(1)' }))).toBe('');
  });
});
