import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { watchPresenting } from './presenting.js';

describe('presenting (everyone follows the owner)', () => {
  it('follows the owner when it turns on, on the owner’s return, and lets go when it turns off', () => {
    const presenting = signal(false);
    const ownerClientId = signal<number | null>(7);
    const following = signal<number | null>(null);
    const stop = watchPresenting({ presenting, ownerClientId, following });
    expect(following.value).toBeNull();

    presenting.value = true;
    expect(following.value).toBe(7);

    // Looking elsewhere ends it, and nothing puts the page back while the owner stays.
    following.value = null;
    ownerClientId.value = 7;
    expect(following.value).toBeNull();

    // The owner reloads: a new client, followed again.
    ownerClientId.value = null;
    ownerClientId.value = 9;
    expect(following.value).toBe(9);

    // Following someone else by choice is not undone when presenting ends.
    following.value = 3;
    presenting.value = false;
    expect(following.value).toBe(3);

    presenting.value = true;
    expect(following.value).toBe(9);
    presenting.value = false;
    expect(following.value).toBeNull();
    stop();
  });

  it('joining a room that is presenting follows the owner at once', () => {
    const following = signal<number | null>(null);
    const stop = watchPresenting({ presenting: signal(true), ownerClientId: signal(4), following });
    expect(following.value).toBe(4);
    stop();
  });
});
