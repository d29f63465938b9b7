/**
 * Package installs without giving the container a network: npm in a
 * workspace talks to `http://127.0.0.1:4873/` (the agent joins that port to a
 * unix socket in the workspace's preview folder), and this proxy, in the
 * runner, answers there. It forwards reads (GET, HEAD) to one registry,
 * `TANDEM_NPM_REGISTRY`, and nothing else:
 *
 * - a request names a path only: an absolute URL for another host, CONNECT
 *   tunnels and writes (publish, login) are refused with 403;
 * - the path is resolved under the registry's URL and must stay under it;
 * - a redirect is followed only while it stays on the registry; one to
 *   another host is refused;
 * - tarballs (immutable) are kept in a cache folder of the runner, so the
 *   second room installing the same package does not fetch it again.
 *
 * npm is told `replace-registry-host=always`, so the tarball URLs in a
 * registry's answers come back here too. With the registry turned off
 * (empty), every request gets a 403 saying so, and what the image's npm
 * cache holds still installs.
 *
 * The same proxy, with `flavor: 'pip'`, serves pip a package index
 * (`TANDEM_PIP_INDEX`, port 3141): the index's pages are rewritten so that
 * their file links come back here signed (indexLinks.ts), and the files they
 * name are cached like tarballs.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import {
  request as httpRequest,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { IndexLinks } from './indexLinks.js';

type Flavor = 'npm' | 'pip';
/**
 * Where npm and pip in a workspace find their proxy: a loopback port of the
 * container the agent joins to a socket in the workspace's preview folder.
 */
export const PACKAGE_PORTS: Record<Flavor, { port: number; socket: string }> = {
  npm: { port: 4873, socket: 'npm.sock' },
  pip: { port: 3141, socket: 'pip.sock' },
};
/** The largest index page rewritten (PyPI's biggest project pages are a few MB). */
const PAGE_MAX_BYTES = 64 * 1024 * 1024;
const REDIRECTS_MAX = 3;
const TIMEOUT_MS = 60_000;
/** Answer headers passed back to npm. */
const PASSED = [
  'content-type',
  'content-length',
  'content-encoding',
  'etag',
  'last-modified',
  'cache-control',
];

const FLAVORS: Record<Flavor, { setting: string; upstream: string }> = {
  npm: { setting: 'TANDEM_NPM_REGISTRY', upstream: 'the registry' },
  pip: { setting: 'TANDEM_PIP_INDEX', upstream: 'the package index' },
};

export interface RegistryProxyOptions {
  /** The registry's (or index's) URL, or null: installs are off. */
  registry: string | null;
  /** npm (the default) or pip. */
  flavor?: Flavor;
  /** Folder for cached tarballs. */
  cacheDir: string;
  log: { warn(event: string, fields?: object): void };
}

export class RegistryProxy {
  private readonly base: URL | null;
  private readonly flavor: (typeof FLAVORS)[Flavor];
  /** pip only: signs and opens the file links of index pages. */
  private readonly links: IndexLinks | null;

  /** The socket's name in a workspace's preview folder. */
  get socketName(): string {
    return PACKAGE_PORTS[this.options.flavor ?? 'npm'].socket;
  }

  /** The registry it forwards to, or null (installs off). */
  get registry(): string | null {
    return this.base?.href ?? null;
  }

  constructor(private readonly options: RegistryProxyOptions) {
    this.base = options.registry
      ? new URL(options.registry.endsWith('/') ? options.registry : `${options.registry}/`)
      : null;
    this.flavor = FLAVORS[options.flavor ?? 'npm'];
    this.links = options.flavor === 'pip' && this.base ? new IndexLinks(this.base) : null;
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
  }

  /** Serves the proxy on a unix socket (a workspace's); resolves once it listens. */
  async listen(socketPath: string): Promise<Server> {
    rmSync(socketPath, { force: true });
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connect', (_req, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { setting, upstream } = this.flavor;
    if (!this.base)
      return refuse(res, `package installs are turned off on this Tandem server (${setting} is empty)`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, `only reads reach ${upstream} from a workspace`);
    const path = req.url ?? '/';
    const file = this.links && IndexLinks.isFile(path) ? this.links.open(path) : null;
    const target = file ?? this.resolve(path);
    if (!target) return refuse(res, `only ${upstream} at ${this.base.href} is reachable from a workspace`);
    // A file the index linked to may redirect on its own host; anything else stays under the index.
    const scope = file ? (url: URL) => url.origin === file.origin : (url: URL) => this.within(url);
    const cached = this.cachePath(target, file !== null);
    if (cached && existsSync(cached)) return this.serveCached(res, cached, req.method);
    try {
      await this.forward(req, res, { target, scope, cached, page: this.links !== null && !file }, 0);
    } catch (error) {
      this.options.log.warn('registry.failed', { url: target.href, err: error });
      if (!res.headersSent) refuse(res, `${upstream} did not answer: ${(error as Error).message}`, 502);
      else res.destroy();
    }
  }

  private serveCached(res: ServerResponse, cached: string, method: string | undefined): void {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': statSync(cached).size,
    });
    if (method === 'HEAD') return void res.end();
    createReadStream(cached).pipe(res);
  }

  /** The registry URL a request names, or null if it leaves the registry. */
  private resolve(raw: string): URL | null {
    const base = this.base!;
    let target: URL;
    try {
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) target = new URL(raw);
      else if (this.links && IndexLinks.isFile(raw)) return null;
      else if (raw.startsWith('/')) target = new URL(`.${raw}`, base);
      else return null;
    } catch {
      return null;
    }
    return this.within(target) ? target : null;
  }

  private within(url: URL): boolean {
    const base = this.base!;
    return (
      url.origin === base.origin && url.pathname.startsWith(base.pathname) && !url.username && !url.password
    );
  }

  private forward(req: IncomingMessage, res: ServerResponse, fetch: Fetch, hops: number): Promise<void> {
    const { target, scope, cached, page } = fetch;
    return new Promise<void>((resolve, reject) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers: Record<string, string> = { 'user-agent': 'tandem-runner' };
      // Index pages are rewritten, so they come uncompressed.
      const passedOn = ['accept', 'npm-command', 'if-none-match', 'if-modified-since'];
      if (!page) passedOn.push('accept-encoding');
      for (const name of passedOn) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const outgoing = send(target, { method: req.method, headers, timeout: TIMEOUT_MS }, (answer) => {
        const status = answer.statusCode ?? 502;
        if (status >= 300 && status < 400 && answer.headers.location) {
          answer.resume();
          const next = new URL(answer.headers.location, target);
          if (!scope(next) || hops >= REDIRECTS_MAX) {
            refuse(
              res,
              `${this.flavor.upstream} redirected to ${next.origin}, which a workspace may not reach`,
            );
            return resolve();
          }
          return this.forward(req, res, { ...fetch, target: next }, hops + 1).then(resolve, reject);
        }
        const passed: Record<string, string> = {};
        for (const name of PASSED) {
          const value = answer.headers[name];
          if (typeof value === 'string') passed[name] = value;
        }
        answer.on('error', reject);
        const type = answer.headers['content-type'];
        if (page && status === 200 && IndexLinks.isPage(type) && !answer.headers['content-encoding']) {
          return void this.rewritten(answer, target, type!).then((body) => {
            delete passed['etag'];
            res.writeHead(200, { ...passed, 'content-length': body.length });
            res.end(req.method === 'HEAD' ? undefined : body);
            resolve();
          }, reject);
        }
        if (cached && status === 200 && req.method === 'GET' && !answer.headers['content-encoding']) {
          // Into the cache first, then to npm from there: once npm has the last byte
          // (an answer with a Content-Length ends there), the next room finds the tarball.
          const partial = `${cached}.${randomBytes(6).toString('hex')}.part`;
          const file = createWriteStream(partial);
          answer.pipe(file);
          file.on('finish', () => {
            try {
              if (!answer.complete) throw new Error('the answer broke off');
              renameSync(partial, cached);
            } catch (error) {
              rmSync(partial, { force: true });
              return reject(error);
            }
            this.serveCached(res, cached, 'GET');
            resolve();
          });
          file.on('error', (error) => {
            rmSync(partial, { force: true });
            reject(error);
          });
          return;
        }
        res.writeHead(status, passed);
        answer.pipe(res);
        answer.on('end', () => resolve());
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /** An index page, read whole (up to a bound) with its links pointed back here. */
  private async rewritten(answer: IncomingMessage, pageUrl: URL, type: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > PAGE_MAX_BYTES) throw new Error(`an index page over ${PAGE_MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return Buffer.from(this.links!.rewritePage(text, pageUrl, type));
  }

  /**
   * Tarballs never change once published, nor do the files an index links to:
   * they are cached by URL.
   */
  private cachePath(target: URL, indexFile: boolean): string | null {
    if (!indexFile && !/\/-\/[^/]+\.tgz$/.test(target.pathname)) return null;
    return join(this.options.cacheDir, `${createHash('sha256').update(target.href).digest('hex')}.pkg`);
  }
}

/** One request to the registry, through any redirects. */
interface Fetch {
  target: URL;
  /** Where a redirect may lead. */
  scope: (url: URL) => boolean;
  /** The cache file for an immutable answer, else null. */
  cached: string | null;
  /** An index page to rewrite (pip). */
  page: boolean;
}

/** The registry this machine's npm is configured with (npmjs.org if npm does not say). */
export function hostNpmRegistry(): string {
  const answer = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', timeout: 10_000 });
  const line = answer.status === 0 ? answer.stdout.trim() : '';
  return /^https?:\/\//.test(line) ? line : 'https://registry.npmjs.org/';
}

function refuse(res: ServerResponse, why: string, status = 403): void {
  const body = JSON.stringify({ error: why });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
