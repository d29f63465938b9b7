import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withoutQuery, type LogLevel } from './log.js';

function capture(level: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger(level, { name: 'relay', destination }) };
}

describe('logger', () => {
  it('writes one JSON line per event with its level label, time, process name and fields', () => {
    const { lines, log } = capture();
    log.info('room.loaded', { room: 'abc', ms: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: 'room.loaded',
      level: 'info',
      name: 'relay',
      room: 'abc',
      ms: 3,
    });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('drops what is below its level', () => {
    const { lines, log } = capture('warn');
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map((line) => line.event)).toEqual(['c', 'd']);
  });

  it('writes an error with its type, message and stack', () => {
    const { lines, log } = capture();
    log.error('room.store_failed', { err: new TypeError('disk on fire') });
    log.error('run.env_failed', { error: new RangeError('no key') });
    expect(lines[0]!.err).toMatchObject({ type: 'TypeError', message: 'disk on fire' });
    expect((lines[0]!.err as { stack: string }).stack).toMatch(/disk on fire\n\s+at /);
    expect(lines[1]!.error).toMatchObject({ type: 'RangeError', message: 'no key' });
  });

  it('carries a child’s bindings on every line', () => {
    const { lines, log } = capture();
    const conn = log.child({ conn: 'c-1', room: 'abc', user: 'u1' });
    conn.warn('room.update_refused', { reason: 'nesting' });
    conn.child({ run: 'r-9' }).info('run.started');
    expect(lines[0]).toMatchObject({ conn: 'c-1', room: 'abc', user: 'u1', reason: 'nesting' });
    expect(lines[1]).toMatchObject({ conn: 'c-1', run: 'r-9', event: 'run.started' });
  });

  it('never writes a token, an authorization header, an environment value or a query string', () => {
    const { lines, log } = capture();
    const secret = 'eyJzZWNyZXQiOiJ0b2tlbiJ9.c2ln';
    log.info('http.request', {
      token: secret,
      headers: { authorization: `Bearer ${secret}`, cookie: `t=${secret}` },
      env: { API_KEY: secret },
      variable: { name: 'API_KEY', value: secret },
      url: `/yjs/abc?token=${secret}`,
    });
    const written = JSON.stringify(lines);
    expect(written).not.toContain(secret);
    expect(lines[0]).toMatchObject({ url: '/yjs/abc?[redacted]', token: '[redacted]' });
    expect((lines[0]!.variable as { name: string }).name).toBe('API_KEY');
  });

  it('keeps a URL without a query as it is', () => {
    expect(withoutQuery('/api/rooms/abc')).toBe('/api/rooms/abc');
    expect(withoutQuery(undefined)).toBeUndefined();
  });
});
