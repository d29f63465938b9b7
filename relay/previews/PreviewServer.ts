/**
 * The preview listener: a plain HTTP server on a port of its own, where each
 * preview is a host of its own (`<previewId>.localhost:8081` by default), so
 * the app runs on an origin that is neither the editor's nor another
 * preview's. It is a reverse proxy with three rules:
 *
 *   GET /__tandem/enter?ticket=T&to=/path   trade a ticket for this origin's
 *                                           cookie, then go to `to`
 *   anything else, with the cookie          carried to the app's port in the
 *                                           room's workspace (HTTP or WebSocket)
 *   anything else                           403, a plain page
 *
 * An unknown or stopped preview is a 404; a ticket or cookie of another
 * preview, an expired one, or one of someone removed from the room is a 403.
 * The cookie never reaches the app.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../server/log.js';
import type { Workspaces, PreviewTarget } from '../workspaces/Workspaces.js';
import { PREVIEW_COOKIE, type PreviewKeys, type PreviewOrigins, type PreviewPass } from './previewAccess.js';
import type { PreviewStream } from './PreviewStreams.js';
import type { PreviewHeaders } from './previewHeaders.js';

/** Requests (and WebSockets) open at once on one preview. */
export const PREVIEW_STREAMS_MAX = 128;
const ENTER_PATH = '/__tandem/enter';
/** Hop-by-hop headers (RFC 9110 7.6.1) never pass a proxy; ours neither. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** How often open WebSockets are checked against the room (someone removed loses theirs). */
const SWEEP_MS = 2_000;

export interface PreviewServerOptions {
  keys: PreviewKeys;
  origins: PreviewOrigins;
  workspaces: Workspaces;
  bodyMaxBytes: number;
  /** A request whose app has not begun to answer by then gets a 504. */
  answerTimeoutMs: number;
  /** Security headers of this origin (./previewHeaders.ts). */
  headers: PreviewHeaders;
  log: Logger;
}

interface Live {
  pass: PreviewPass;
  previewId: string;
  close(): void;
}

export class PreviewServer {
  private readonly server: Server;
  private readonly live = new Set<Live>();
  private sweep: NodeJS.Timeout | null = null;
  private options!: PreviewServerOptions;

  private constructor() {
    this.server = createServer({ noDelay: true, keepAlive: true }, (_req, res) =>
      page(res, 503, 'Starting', 'Tandem is starting.', { 'content-security-policy': "default-src 'none'" }),
    );
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Listens first (the preview origin names the port when it was 0), serves once `serve` is called. */
  static async listen(host: string, port: number): Promise<PreviewServer> {
    const preview = new PreviewServer();
    await new Promise<void>((resolve, reject) => {
      preview.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen for previews on ${host}:${port}: ${error.code ?? error.message}`)),
      );
      preview.server.listen(port, host, () => resolve());
    });
    return preview;
  }

  serve(options: PreviewServerOptions): void {
    this.options = options;
    this.server.removeAllListeners('request');
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => this.request(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    this.sweep = setInterval(() => this.checkLive(), SWEEP_MS);
    this.sweep.unref();
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    for (const live of this.live) live.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const previewId = this.options.origins.idOf(req.headers.host);
    const target = previewId ? this.options.workspaces.preview(previewId) : null;
    if (!previewId || !target)
      return this.page(res, 404, 'No such preview', 'This preview does not exist or its app stopped.');
    const url = new URL(req.url ?? '/', 'http://preview');
    if (url.pathname === ENTER_PATH) return this.enter(req, res, previewId, target, url);
    const pass = this.admitted(req, previewId, target);
    if (!pass) return this.page(res, 403, 'Not allowed', 'Open this preview from its room in Tandem.');
    if (this.options.workspaces.streams.countFor(previewId) >= PREVIEW_STREAMS_MAX)
      return this.page(res, 503, 'Too many requests', 'This preview has too many requests open at once.');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.options.bodyMaxBytes)
      return this.page(res, 413, 'Too large', 'That request body is too large.');

    let answered = false;
    const silence = setTimeout(() => {
      stream.abort('no answer in time');
      this.page(
        res,
        504,
        'The app did not answer',
        `The app on port ${target.port} has not answered in ${Math.round(this.options.answerTimeoutMs / 1000)} s.`,
      );
    }, this.options.answerTimeoutMs);
    silence.unref();
    const stream = this.options.workspaces.streams.open(
      target.link,
      this.head(req, target, false),
      previewId,
      {
        onHead: (status, headers) => {
          answered = true;
          clearTimeout(silence);
          res.writeHead(status, this.options.headers.forApp(passable(headers)));
        },
        onData: (bytes, written) => res.write(bytes, () => written()),
        onEnd: () => res.end(),
        onAbort: (reason) => {
          clearTimeout(silence);
          if (!answered && !res.headersSent) this.page(res, 502, 'The app did not answer', reason);
          else res.destroy();
        },
      },
    );
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received <= this.options.bodyMaxBytes) return;
      stream.abort('the request body is too large');
      if (!res.headersSent) this.page(res, 413, 'Too large', 'That request body is too large.');
      req.destroy();
    });
    stream.pipeFrom(req);
    res.on('close', () => {
      clearTimeout(silence);
      if (!res.writableFinished) stream.abort('the browser went away');
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const previewId = this.options.origins.idOf(req.headers.host);
    const target = previewId ? this.options.workspaces.preview(previewId) : null;
    if (!previewId || !target) return rawRefusal(socket, 404, 'No such preview');
    const pass = this.admitted(req, previewId, target);
    if (!pass) return rawRefusal(socket, 403, 'Not allowed');
    if (this.options.workspaces.streams.countFor(previewId) >= PREVIEW_STREAMS_MAX)
      return rawRefusal(socket, 503, 'Too many requests');
    socket.on('error', () => socket.destroy());
    let stream: PreviewStream | null = null;
    const live: Live = {
      pass,
      previewId,
      close: () => {
        stream?.abort('closed by the relay');
        socket.destroy();
      },
    };
    stream = this.options.workspaces.streams.open(target.link, this.head(req, target, true), previewId, {
      onHead: (status, headers) => {
        const lines = [`HTTP/1.1 ${status} ${status === 101 ? 'Switching Protocols' : 'Upstream Answer'}`];
        for (const { name, value } of headers) {
          // A 101 keeps its Connection and Upgrade headers: they are the switch.
          if (status !== 101 && HOP_BY_HOP.has(name.toLowerCase())) continue;
          if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) continue;
          lines.push(`${name}: ${value}`);
        }
        if (status !== 101) lines.push('Connection: close');
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (status !== 101) return;
        this.live.add(live);
        if (head.byteLength > 0) socket.unshift(head);
        stream!.pipeFrom(socket);
      },
      onData: (bytes, written) => socket.write(bytes, () => written()),
      onEnd: () => {
        this.live.delete(live);
        socket.end();
      },
      onAbort: () => {
        this.live.delete(live);
        socket.destroy();
      },
    });
    socket.on('close', () => {
      this.live.delete(live);
      stream?.abort('the browser went away');
    });
  }

  /** `to` must stay on this origin: a path, never `//host` or a scheme. */
  private enter(
    req: IncomingMessage,
    res: ServerResponse,
    previewId: string,
    target: PreviewTarget,
    url: URL,
  ): void {
    if (req.method !== 'GET') return this.page(res, 405, 'Not allowed', 'Enter a preview with GET.');
    const ticket = url.searchParams.get('ticket') ?? '';
    const pass = this.options.keys.check(ticket, 'ticket', previewId);
    if (!pass || pass.roomId !== target.room.id || target.room.controls.admits(pass) !== 'ok')
      return this.page(
        res,
        403,
        'Not allowed',
        'This link has expired or was used already: open the preview from its room again.',
      );
    const to = url.searchParams.get('to') ?? '/';
    const location = /^\/(?![/\\])/.test(to) ? to : '/';
    const cookie = this.options.keys.issue('cookie', previewId, pass.roomId, pass);
    res.writeHead(303, {
      ...this.options.headers.own,
      location,
      'set-cookie': cookieHeader(cookie.value, this.crossSiteCookie(req)),
      'cache-control': 'no-store',
    });
    res.end();
  }

  /**
   * The preview is framed by the editor, another site: its cookie must be
   * `SameSite=None`, which browsers take only with `Secure`, which they allow
   * on https and on http://*.localhost (a secure context). Elsewhere (plain
   * http on a LAN name) it is `Lax`: the pane then needs "open in new tab".
   */
  private crossSiteCookie(req: IncomingMessage): boolean {
    if (this.options.origins.secure) return true;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    return host === 'localhost' || host.endsWith('.localhost');
  }

  private admitted(req: IncomingMessage, previewId: string, target: PreviewTarget): PreviewPass | null {
    const value = readCookie(req.headers.cookie, PREVIEW_COOKIE);
    const pass = value ? this.options.keys.check(value, 'cookie', previewId) : null;
    if (!pass || pass.roomId !== target.room.id) return null;
    return target.room.controls.admits(pass) === 'ok' ? pass : null;
  }

  /** The request as the app sees it: its own Host, our cookie and hop-by-hop headers taken out. */
  private head(req: IncomingMessage, target: PreviewTarget, upgrade: boolean) {
    const headers: { name: string; value: string }[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (lower === 'host' || lower.startsWith('x-forwarded-')) continue;
      if (HOP_BY_HOP.has(lower) && !(upgrade && (lower === 'connection' || lower === 'upgrade'))) continue;
      if (lower === 'cookie') {
        const rest = withoutCookie(raw[i + 1]!, PREVIEW_COOKIE);
        if (rest) headers.push({ name, value: rest });
        continue;
      }
      headers.push({ name, value: raw[i + 1]! });
    }
    headers.push({ name: 'Host', value: `localhost:${target.port}` });
    if (req.headers.host) headers.push({ name: 'X-Forwarded-Host', value: req.headers.host });
    headers.push({ name: 'X-Forwarded-Proto', value: this.options.origins.secure ? 'https' : 'http' });
    return {
      workspaceId: target.workspaceId,
      port: target.port,
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers,
      upgrade,
    };
  }

  private page(res: ServerResponse, status: number, title: string, text: string): void {
    page(res, status, title, text, this.options.headers.own);
  }

  private checkLive(): void {
    for (const live of this.live) {
      const target = this.options.workspaces.preview(live.previewId);
      if (!target || target.room.id !== live.pass.roomId || target.room.controls.admits(live.pass) !== 'ok') {
        this.live.delete(live);
        live.close();
      }
    }
  }
}

function passable(headers: { name: string; value: string }[]): string[] {
  const out: string[] = [];
  for (const { name, value } of headers) {
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, value);
  }
  return out;
}

function cookieHeader(value: string, crossSite: boolean): string {
  const base = `${PREVIEW_COOKIE}=${value}; Path=/; HttpOnly; Max-Age=${12 * 3600}`;
  return crossSite ? `${base}; SameSite=None; Secure; Partitioned` : `${base}; SameSite=Lax`;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function withoutCookie(header: string, name: string): string {
  return header
    .split(';')
    .filter((part) => part.split('=')[0]!.trim() !== name)
    .join(';')
    .trim();
}

function page(
  res: ServerResponse,
  status: number,
  title: string,
  text: string,
  headers: Readonly<Record<string, string>>,
): void {
  if (res.headersSent) return void res.destroy();
  const body = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><p>${escapeHtml(text)}</p>\n`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function rawRefusal(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
