/**
 * The editor's origin answers with security headers: pages, API answers and
 * errors alike, through a real relay serving a client directory whose page
 * has one inline script (allowed by its hash, nothing else inline is).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptHashes, previewFrameSource } from '../http/securityHeaders.js';
import { frameAncestors, previewHeaders } from '../previews/previewHeaders.js';
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

describe('preview origin headers', () => {
  const rule = {
    publicUrl: 'https://tandem.example.com',
    allowedOrigins: ['https://lms.example.com'],
    editorPort: () => 443,
  };

  it('let the editor and the sites embedding it frame a preview, and no one else', () => {
    expect(frameAncestors(rule)).toBe('https://tandem.example.com https://lms.example.com');
  });

  it('add to an app’s answer only what it did not set, and never replace its CSP', () => {
    const app = [
      'Content-Type',
      'text/html',
      'Referrer-Policy',
      'origin',
      'Content-Security-Policy',
      "script-src 'self'",
    ];
    const out = previewHeaders(rule).forApp(app);
    expect(out.slice(0, app.length)).toEqual(app);
    const added = out.slice(app.length);
    expect(added).toEqual([
      'x-content-type-options',
      'nosniff',
      'cross-origin-resource-policy',
      'same-origin',
      'content-security-policy',
      'frame-ancestors https://tandem.example.com https://lms.example.com',
    ]);
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
    relay = await startRelay({
      env: { TANDEM_CLIENT_DIR: clientDir, TANDEM_ALLOWED_ORIGINS: 'https://lms.example.com' },
    });
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

  it('on the preview origin’s own pages: nothing runs or loads, framed only by the editor and the sites embedding it', async () => {
    const answer = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(
        {
          host: '127.0.0.1',
          port: relay.previewPort,
          path: '/',
          headers: { host: `p-unknown.localhost:${relay.previewPort}` },
          agent: false,
        },
        resolve,
      ).on('error', reject),
    );
    answer.resume();
    expect(answer.statusCode).toBe(404);
    const port = new URL(relay.url).port;
    expect(answer.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors http://localhost:${port} http://127.0.0.1:${port} http://*.localhost:${port} https://lms.example.com`,
    );
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});
