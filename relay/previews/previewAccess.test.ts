import { describe, expect, it } from 'vitest';
import { PreviewKeys, PreviewOrigins, TICKET_TTL_MS } from './previewAccess.js';

const keys = new PreviewKeys(Buffer.alloc(32, 1));
const claims = { uid: 'u1', link: 2 };

describe('preview ids, tickets and cookies', () => {
  it('names a port of a room the same way every time, differently for another room, port or secret', () => {
    const id = keys.previewId('room-a', 3000);
    expect(id).toMatch(/^[a-z0-9]{20}$/);
    expect(keys.previewId('room-a', 3000)).toBe(id);
    expect(keys.previewId('room-a', 3001)).not.toBe(id);
    expect(keys.previewId('room-b', 3000)).not.toBe(id);
    expect(new PreviewKeys(Buffer.alloc(32, 2)).previewId('room-a', 3000)).not.toBe(id);
  });

  it('takes a ticket once, only for its preview and kind, and not after it expires', () => {
    const id = keys.previewId('room-a', 3000);
    const now = 1_000_000;
    const ticket = keys.issue('ticket', id, 'room-a', claims, now).value;
    expect(keys.check(ticket, 'ticket', keys.previewId('room-a', 3001), now)).toBeNull();
    expect(keys.check(ticket, 'cookie', id, now)).toBeNull();
    expect(keys.check(ticket, 'ticket', id, now + TICKET_TTL_MS)).toBeNull();
    expect(keys.check(ticket, 'ticket', id, now + 1)).toMatchObject({ roomId: 'room-a', uid: 'u1', link: 2 });
    expect(keys.check(ticket, 'ticket', id, now + 2)).toBeNull();
  });

  it('refuses a pass signed with another secret or altered by one character', () => {
    const id = keys.previewId('room-a', 3000);
    const cookie = keys.issue('cookie', id, 'room-a', claims).value;
    expect(keys.check(cookie, 'cookie', id)).not.toBeNull();
    expect(new PreviewKeys(Buffer.alloc(32, 9)).check(cookie, 'cookie', id)).toBeNull();
    const [body, mac] = cookie.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), uid: 'owner' }),
    ).toString('base64url');
    expect(keys.check(`${forged}.${mac}`, 'cookie', id)).toBeNull();
    expect(keys.check('garbage', 'cookie', id)).toBeNull();
  });

  it('reads the preview id from a Host header that matches the preview URL, and nothing else', () => {
    const local = new PreviewOrigins('http://{id}.localhost:8081');
    const id = 'abcdefghijklmnopqrst';
    expect(local.origin(id)).toBe(`http://${id}.localhost:8081`);
    expect(local.idOf(`${id}.localhost:8081`)).toBe(id);
    expect(local.idOf(`${id}.localhost:8080`)).toBeNull();
    expect(local.idOf(`${id}.evil.localhost:8081`)).toBeNull();
    expect(local.idOf('localhost:8081')).toBeNull();
    expect(local.secure).toBe(false);
    const hosted = new PreviewOrigins('https://{id}.preview.example.com');
    expect(hosted.idOf(`${id}.preview.example.com`)).toBe(id);
    expect(hosted.secure).toBe(true);
    expect(() => new PreviewOrigins('https://preview.example.com')).toThrow(/\{id\}/);
  });
});
