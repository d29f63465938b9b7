/**
 * Security headers on the preview origin. Its own pages (refusals, the
 * ticket's redirect) get a strict set: nothing runs, nothing loads, no
 * referrer. The app's answers get a looser one that never overrides the app:
 * only the editor (and the sites allowed to embed it) may frame a preview (an
 * extra CSP header with just `frame-ancestors`: browsers enforce every CSP
 * header, so the app's own policy still holds); other sites cannot load its
 * files as scripts or images with the visitor's cookie (CORP), nor sniff
 * types; and links out carry no preview address. Each of those but framing is
 * added only where the app set none of its own.
 */

export interface PreviewHeaderRule {
  /** TANDEM_PUBLIC_URL: the editor's origin. */
  publicUrl: string | null;
  /** TANDEM_ALLOWED_ORIGINS: sites that embed the editor (a frame's ancestors count too). */
  allowedOrigins: readonly string[] | null;
  /** The editor's port (known once it listens), for the loopback names a newcomer uses when no public URL is set. */
  editorPort: () => number;
}

export interface PreviewHeaders {
  /** Headers of the preview listener's own answers. */
  readonly own: Readonly<Record<string, string>>;
  /** The app's answer headers (name, value pairs, flat) with ours added. */
  forApp(pairs: string[]): string[];
}

const APP_DEFAULTS: readonly [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
];

export function previewHeaders(rule: PreviewHeaderRule): PreviewHeaders {
  return {
    get own() {
      return {
        'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors ${frameAncestors(rule)}`,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      };
    },
    forApp(pairs) {
      const out = [...pairs];
      const present = new Set<string>();
      for (let i = 0; i < pairs.length; i += 2) present.add(pairs[i]!.toLowerCase());
      for (const [name, value] of APP_DEFAULTS) if (!present.has(name)) out.push(name, value);
      out.push('content-security-policy', `frame-ancestors ${frameAncestors(rule)}`);
      return out;
    },
  };
}

/**
 * The editor's origins as CSP sources: the public URL when set, else the
 * loopback names on the editor's port (elsewhere, without a public URL, the
 * preview's cookie cannot be sent to a frame anyway: it opens in a tab); and
 * the sites allowed to embed the editor.
 */
export function frameAncestors(rule: PreviewHeaderRule): string {
  const own = rule.publicUrl
    ? [rule.publicUrl]
    : ['localhost', '127.0.0.1', '*.localhost'].map((host) => `http://${host}:${rule.editorPort()}`);
  return [...own, ...(rule.allowedOrigins ?? [])].join(' ');
}
