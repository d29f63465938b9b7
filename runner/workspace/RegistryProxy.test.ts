/**
 * The registry proxy on a real unix socket, in front of a real HTTP server on
 * loopback playing the registry: it forwards reads under the registry's URL
 * and refuses everything else a hostile program in a workspace could try.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryProxy } from './RegistryProxy.js';

interface Answer {
  status: number;
  body: string;
}

describe('the registry proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-registry-'));
  const socketPath = join(dir, 'npm.sock');
  let upstream: Server;
  let upstreamUrl: string;
  let proxy: Server;
  let tarballHits = 0;

  const ask = (path: string, method = 'GET', socket = socketPath) => askSocket(socket, path, method);

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url === '/registry/left-pad') return res.end(JSON.stringify({ name: 'left-pad' }));
      if (req.url === '/registry/left-pad/-/left-pad-1.0.0.tgz') {
        tarballHits++;
        return res.end('tarball bytes');
      }
      if (req.url === '/registry/moved') {
        res.writeHead(302, { location: '/registry/left-pad' });
        return res.end();
      }
      if (req.url === '/registry/away') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
        return res.end();
      }
      if (req.url?.startsWith('/secret')) return res.end('the registry host’s other paths');
      res.writeHead(404);
      res.end('{}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/registry/`;
    const registry = new RegistryProxy({
      registry: upstreamUrl,
      cacheDir: join(dir, 'cache'),
      log: { warn: () => undefined },
    });
    proxy = await registry.listen(socketPath);
  });

  afterAll(async () => {
    proxy?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards reads under the registry and follows a redirect that stays on it', async () => {
    expect(await ask('/left-pad')).toEqual({ status: 200, body: '{"name":"left-pad"}' });
    expect((await ask('/left-pad', 'HEAD')).status).toBe(200);
    expect(await ask('/moved')).toEqual({ status: 200, body: '{"name":"left-pad"}' });
  });

  it('refuses another host, a path out of the registry, writes, CONNECT and a redirect away', async () => {
    const relay = await ask('http://127.0.0.1:8080/api/runners');
    expect(relay.status).toBe(403);
    expect(relay.body).toMatch(/only the registry at http:\/\/127\.0\.0\.1:\d+\/registry\/ is reachable/);
    expect((await ask('/../secret')).status).toBe(403);
    expect((await ask('/%2e%2e/secret')).status).toBe(403);
    expect((await ask(`${upstreamUrl.replace('/registry/', '/secret')}`)).status).toBe(403);
    expect((await ask('/left-pad', 'PUT')).status).toBe(403);
    expect((await ask('/-/user/org.couchdb.user:me', 'POST')).status).toBe(403);
    const away = await ask('/away');
    expect(away.status).toBe(403);
    expect(away.body).toMatch(/169\.254\.169\.254/);
    const tunnel = await new Promise<string>((resolve) => {
      const socket = connect(socketPath);
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    });
    expect(tunnel).toMatch(/^HTTP\/1\.1 403/);
  });

  it('keeps tarballs: the second room gets one without asking the registry', async () => {
    expect(await ask('/left-pad/-/left-pad-1.0.0.tgz')).toEqual({ status: 200, body: 'tarball bytes' });
    expect(await ask('/left-pad/-/left-pad-1.0.0.tgz')).toEqual({ status: 200, body: 'tarball bytes' });
    expect(tarballHits).toBe(1);
  });

  it('says installs are off when there is no registry', async () => {
    const off = new RegistryProxy({
      registry: null,
      cacheDir: join(dir, 'cache-off'),
      log: { warn: () => undefined },
    });
    const server = await off.listen(join(dir, 'off.sock'));
    try {
      const answer = await ask('/left-pad', 'GET', join(dir, 'off.sock'));
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/installs are turned off/);
    } finally {
      server.close();
    }
  });
});

describe('the proxy as a pip index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-pip-index-'));
  const socketPath = join(dir, 'pip.sock');
  let index: Server;
  let files: Server;
  let filesOrigin: string;
  let proxy: Server;
  let wheelHits = 0;

  const ask = (path: string, method = 'GET') => askSocket(socketPath, path, method);

  beforeAll(async () => {
    // A second host holds the files, as files.pythonhosted.org does for PyPI.
    files = createServer((req, res) => {
      if (req.url === '/packages/ab/tiny-1.0-py3-none-any.whl') {
        wheelHits++;
        return res.end('wheel bytes');
      }
      if (req.url === '/packages/ab/tiny-1.0-py3-none-any.whl.metadata') return res.end('Name: tiny');
      if (req.url === '/elsewhere') {
        res.writeHead(302, { location: 'http://169.254.169.254/' });
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    index = createServer((req, res) => {
      if (req.url === '/simple/tiny/' && req.headers.accept?.includes('json')) {
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        return res.end(
          JSON.stringify({
            name: 'tiny',
            files: [
              {
                filename: 'tiny-1.0-py3-none-any.whl',
                url: `${filesOrigin}/packages/ab/tiny-1.0-py3-none-any.whl`,
              },
            ],
          }),
        );
      }
      if (req.url === '/simple/tiny/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          [
            `<a href="${filesOrigin}/packages/ab/tiny-1.0-py3-none-any.whl#sha256=00ff" data-dist-info-metadata="sha256=11">tiny-1.0-py3-none-any.whl</a>`,
            '<a href="../other/">other</a>',
            `<a href="${filesOrigin}/elsewhere">away</a>`,
          ].join('\n'),
        );
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => index.listen(0, '127.0.0.1', resolve));
    const pip = new RegistryProxy({
      registry: `http://127.0.0.1:${(index.address() as AddressInfo).port}/simple/`,
      flavor: 'pip',
      cacheDir: join(dir, 'cache'),
      log: { warn: () => undefined },
    });
    proxy = await pip.listen(socketPath);
  });

  afterAll(async () => {
    proxy?.close();
    await new Promise((resolve) => index?.close(resolve));
    await new Promise((resolve) => files?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const links = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);

  it('points a page’s links back at itself and serves the files they name, once from the host', async () => {
    const page = await ask('/tiny/');
    expect(page.status).toBe(200);
    const [wheel, other, away] = links(page.body);
    expect(page.body).not.toContain(filesOrigin);
    expect(wheel).toMatch(/^\/~file\/[\w-]+\/[\w-]+\/tiny-1\.0-py3-none-any\.whl#sha256=00ff$/);
    expect(other).toBe('/other/');
    const path = wheel!.split('#')[0]!;
    expect(await ask(path)).toEqual({ status: 200, body: 'wheel bytes' });
    expect(await ask(path)).toEqual({ status: 200, body: 'wheel bytes' });
    expect(wheelHits).toBe(1);
    expect(await ask(`${path}.metadata`)).toEqual({ status: 200, body: 'Name: tiny' });
    // A link the index gave may still not redirect off its host.
    expect((await ask(away!)).status).toBe(403);
  });

  it('rewrites the JSON form of a page too', async () => {
    const page = await askSocket(socketPath, '/tiny/', 'GET', {
      accept: 'application/vnd.pypi.simple.v1+json',
    });
    const body = JSON.parse(page.body) as { files: { url: string }[] };
    expect(body.files[0]!.url).toMatch(/^\/~file\/.*\/tiny-1\.0-py3-none-any\.whl$/);
    expect(await ask(body.files[0]!.url)).toEqual({ status: 200, body: 'wheel bytes' });
  });

  it('refuses a file link it did not sign, a changed one, and any other host', async () => {
    const [wheel] = links((await ask('/tiny/')).body);
    const [, , mac, encoded, name] = wheel!.split('#')[0]!.split('/');
    const forged = Buffer.from(`${filesOrigin}/secret`).toString('base64url');
    expect((await ask(`/~file/${mac}/${forged}/${name}`)).status).toBe(403);
    expect((await ask(`/~file/${mac}/${encoded}/other-name.whl`)).status).toBe(403);
    expect((await ask(`/~file/AAAA/${encoded}/${name}`)).status).toBe(403);
    const direct = await ask(`${filesOrigin}/packages/ab/tiny-1.0-py3-none-any.whl`);
    expect(direct.status).toBe(403);
    expect(direct.body).toMatch(/only the package index at/);
  });
});

function askSocket(
  socketPath: string,
  path: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, headers: { host: '127.0.0.1', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
