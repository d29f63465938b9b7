/**
 * The editor's origin answers with security headers: pages, API answers and
 * errors alike, through a real relay serving a client directory whose page
 * has one inline script (allowed by its hash, nothing else inline is).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptHashes, previewFrameSource } from '../http/securityHeaders.js';
import { removeDataDir, startRelay, type RelayProcess } from './harness.js';

const THEME = "document.documentElement.dataset.theme = 'dark';";
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('security header parts', () => {
  it('hashes inline scripts only, as CSP sources', () => {
    const html = `<head><script>${THEME}</script><script type="module" src="/a.js"></script><script> </script></head>`;
    expect(inlineScriptHashes(html)).toEqual([hashOf(THEME)]);
  });

  it('frames previews from their wildcard origin, or their scheme when no wildcard can say it', () => {
    expect(previewFrameSource({ template: 'http://{id}.localhost:8081' })).toBe('http://*.localhost:8081');
    expect(previewFrameSource({ template: 'https://{id}.preview.example.com' })).toBe(
      'https://*.preview.example.com',
    );
    expect(previewFrameSource({ template: 'https://p-{id}.example.com' })).toBe('https:');
  });
});

describe('a relay’s answers carry security headers', () => {
  let relay: RelayProcess;
  const clientDir = mkdtempSync(join(tmpdir(), 'tandem-client-'));

  beforeAll(async () => {
    writeFileSync(
      join(clientDir, 'index.html'),
      `<!doctype html><html><head><script>${THEME}</script></head><body></body></html>`,
    );
    relay = await startRelay({ env: { TANDEM_CLIENT_DIR: clientDir } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
    rmSync(clientDir, { recursive: true, force: true });
  });

  it('on the page: a CSP allowing the page’s own scripts, workers, sockets and preview frames, and no framing', async () => {
    const page = await fetch(`${relay.url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    const directives = new Map(
      csp.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name!, values.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe(`'self' ${hashOf(THEME)}`);
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('frame-src')).toMatch(/^http:\/\/\*\.localhost:\d+$/);
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toBeNull();
  });

  it('on API answers and errors too', async () => {
    for (const path of ['/api/templates', '/api/rooms/no-such-room', '/healthz']) {
      const answer = await fetch(`${relay.url}${path}`);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
    }
  });
});
