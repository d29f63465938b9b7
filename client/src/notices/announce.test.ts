import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { setLocalUser } from '../presence/presence.js';
import { Announcements, announceFileChange } from './announce.js';

function person(name: string): Awareness {
  const awareness = new Awareness(new Y.Doc());
  setLocalUser(awareness, { id: `u-${name}`, name, role: 'editor', color: '#0090ff' });
  return awareness;
}

/** What the relay does with an awareness update: forwards it to the others. */
function send(from: Awareness, to: Awareness): void {
  applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [from.clientID]), 'relay');
}

describe('who changed the file list', () => {
  it('matches a change to the latest fresh announcement of one of its files', () => {
    let now = 1000;
    const alice = person('Alice');
    const bob = person('Bob');
    const carol = person('Carol');
    const announced = new Announcements(alice, () => now);
    let heard = 0;
    announced.onAnnounce(() => heard++);

    announceFileChange(bob, ['f1', 'f2']);
    send(bob, alice);
    expect(announced.whoChanged(['f2'])?.name).toBe('Bob');
    expect(announced.whoChanged(['f3'])).toBeNull();

    now += 10;
    announceFileChange(carol, ['f2']);
    send(carol, alice);
    expect(announced.whoChanged(['f2'])?.name).toBe('Carol');
    // The same state again (a keep-alive) is no new announcement.
    send(carol, alice);
    expect(heard).toBe(2);

    now += 60_000;
    expect(announced.whoChanged(['f1'])).toBeNull();
  });

  it('never names yourself, and keeps an announcement small', () => {
    const alice = person('Alice');
    const announced = new Announcements(alice);
    announceFileChange(alice, ['f1']);
    expect(announced.whoChanged(['f1'])).toBeNull();
    announceFileChange(
      alice,
      Array.from({ length: 500 }, (_, i) => `f${i}`),
    );
    expect(JSON.stringify(alice.getLocalState()).length).toBeLessThan(1024);
  });
});
