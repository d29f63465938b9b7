/**
 * pip's side of the registry proxy. A package index's pages (PEP 503 HTML or
 * PEP 691 JSON) name their files by URL, often on another host (PyPI's pages
 * point at files.pythonhosted.org). The proxy serves the index at its own
 * root, so each link in a page it passes on is rewritten:
 *
 * - a link under the index becomes a path of the proxy (`/flask/`);
 * - any other becomes a signed path, `/~file/<mac>/<url, base64url>/<name>`,
 *   which the proxy opens again only if the MAC is its own. A program in the
 *   workspace can follow the links the index gave, and reach no other URL.
 *
 * The file's own name stays last: pip reads versions and wheel tags from it,
 * and asks for `<link>.metadata` (PEP 658) beside it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const FILE_PREFIX = '/~file/';
const METADATA = '.metadata';
/** Attributes of a simple HTML page that hold a URL. */
const HTML_LINK = /\bhref\s*=\s*(["'])([^"']*)\1/gi;

export class IndexLinks {
  /** Per runner process: pip's HTTP cache in a workspace lives no longer. */
  private readonly key = randomBytes(32);

  constructor(private readonly base: URL) {}

  /** Whether an answer of this type is an index page whose links need rewriting. */
  static isPage(contentType: string | undefined): boolean {
    return /^(text\/html|application\/vnd\.pypi\.simple\.v1\+(json|html))\b/i.test(contentType ?? '');
  }

  /** The page's text with every link pointed back at the proxy. */
  rewritePage(body: string, pageUrl: URL, contentType: string): string {
    if (/json/i.test(contentType)) {
      const page = JSON.parse(body) as { files?: { url?: unknown }[] };
      for (const file of page.files ?? []) {
        if (typeof file.url === 'string') file.url = this.link(file.url, pageUrl);
      }
      return JSON.stringify(page);
    }
    return body.replace(HTML_LINK, (_all, quote: string, raw: string) => {
      return `href=${quote}${this.link(decodeEntities(raw), pageUrl).replaceAll('&', '&amp;')}${quote}`;
    });
  }

  /** The URL a signed path names, or null when it is not one this proxy signed. */
  open(path: string): URL | null {
    if (!path.startsWith(FILE_PREFIX)) return null;
    const [mac, encoded, name, ...rest] = path.slice(FILE_PREFIX.length).split('/');
    if (!mac || !encoded || !name || rest.length) return null;
    let url: URL;
    try {
      url = new URL(Buffer.from(encoded, 'base64url').toString());
    } catch {
      return null;
    }
    const expected = this.mac(url.href);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const own = fileName(url);
    if (decodeURIComponent(name) === own) return url;
    if (decodeURIComponent(name) === own + METADATA) return new URL(url.href + METADATA);
    return null;
  }

  /** Whether a request path is a signed file link (rather than a page of the index). */
  static isFile(path: string): boolean {
    return path.startsWith(FILE_PREFIX);
  }

  private link(raw: string, pageUrl: URL): string {
    let url: URL;
    try {
      url = new URL(raw, pageUrl);
    } catch {
      return raw;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '#';
    const fragment = url.hash;
    url.hash = '';
    if (url.origin === this.base.origin && url.pathname.startsWith(this.base.pathname)) {
      return `/${url.pathname.slice(this.base.pathname.length)}${url.search}${fragment}`;
    }
    const mac = this.mac(url.href).toString('base64url');
    const encoded = Buffer.from(url.href).toString('base64url');
    return `${FILE_PREFIX}${mac}/${encoded}/${encodeURIComponent(fileName(url))}${fragment}`;
  }

  private mac(href: string): Buffer {
    return createHmac('sha256', this.key).update(href).digest().subarray(0, 18);
  }
}

function fileName(url: URL): string {
  return decodeURIComponent(url.pathname.split('/').at(-1) ?? '') || 'file';
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|#38|#x26);/gi, '&');
}
