/**
 * Presenting (the room's `followOwner` setting): everyone but the owner
 * follows the owner, on joining, when the owner turns it on, and again when
 * the owner's page comes back (a reload is a new awareness client). Looking
 * elsewhere (a click or a key in one's own editor) ends following as it always
 * does, until the owner's page changes or the setting is turned on again;
 * turning it off lets go of whoever it put on the owner.
 */
import { effect, type ReadonlySignal, type Signal } from '@preact/signals';

export function watchPresenting(input: {
  /** The setting is on, and this page is not the owner's. */
  presenting: ReadonlySignal<boolean>;
  /** The owner's awareness client id, while the owner is here. */
  ownerClientId: ReadonlySignal<number | null>;
  /** Whom this page follows (RoomState.following). */
  following: Signal<number | null>;
}): () => void {
  const { presenting, ownerClientId, following } = input;
  /** The owner's client this rule put the page on, if any. */
  let led: number | null = null;
  return effect(() => {
    const owner = presenting.value ? ownerClientId.value : null;
    if (owner === led) return;
    if (led !== null && following.peek() === led) following.value = null;
    led = owner;
    if (owner !== null) following.value = owner;
  });
}
