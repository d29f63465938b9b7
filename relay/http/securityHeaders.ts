/**
 * Security headers on every page and API answer of the editor's origin: a
 * Content-Security-Policy that the client needs nothing beyond (its own
 * scripts, workers and sockets; Monaco's inline styles; previews framed from
 * their own origins), no framing by other sites, no sniffing, no referrer.
 * HSTS is left to the TLS proxy in front (it knows whether there is TLS).
 *
 * The client's one inline script (the theme, set before the first paint) is
 * allowed by its hash, read from the built index.html at start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { PreviewOrigins } from '../previews/previewAccess.js';

/** The CSP hash sources of the inline scripts of `html` ("'sha256-…'"). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    const [, attributes = '', body = ''] = match;
    if (/\ssrc\s*=/i.test(attributes) || body.trim() === '') continue;
    hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * Where previews may be framed from, as a CSP source: `http://*.localhost:8081`
 * for `http://{id}.localhost:8081`. A template whose {id} is not a whole
 * leftmost label cannot be written as a CSP wildcard: its scheme then.
 */
export function previewFrameSource(previews: Pick<PreviewOrigins, 'template'>): string {
  const url = new URL(previews.template.replace('{id}', 'placeholder'));
  const [first, ...rest] = url.host.split('.');
  return first === 'placeholder' && rest.length > 0 ? `${url.protocol}//*.${rest.join('.')}` : url.protocol;
}

export function editorSecurityHeaders(
  clientDir: string,
  previews: Pick<PreviewOrigins, 'template'>,
): MiddlewareHandler {
  const index = join(clientDir, 'index.html');
  const scripts = existsSync(index) ? inlineScriptHashes(readFileSync(index, 'utf8')) : [];
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...scripts],
      // Monaco sets styles inline (positions, decorations, its theme).
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      mediaSrc: ["'self'", 'blob:', 'mediastream:'],
      frameSrc: [previewFrameSource(previews)],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    strictTransportSecurity: false,
    // Camera, microphone and screen for calls; nothing else a room needs.
    permissionsPolicy: {
      camera: ['self'],
      microphone: ['self'],
      displayCapture: ['self'],
      geolocation: [],
      payment: [],
      usb: [],
    },
  });
}
