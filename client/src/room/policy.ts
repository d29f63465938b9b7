/**
 * The relay's word on this connection's edit right (`roomState`, type 140), kept
 * as signals. The relay enforces it on every update; the page only follows it:
 * the editor, tree and run controls turn read-only, and the reason is shown.
 *
 * The last state is kept per room and user in localStorage, so a reload (or an
 * offline start) begins read-only when it last was, instead of letting the
 * person type edits the relay will refuse. What opens the private notes waits
 * for the relay's own word (`received`).
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { decode, encode } from '../../../shared/protocol/codec.js';
import { Direction, MessageType, type RoomStateMessage } from '../../../shared/protocol/table.js';
import { canEdit, type Role } from '../../../shared/roles.js';
import { loadJson, saveJson } from '../lib/storage.js';

export const VIEW_LINK_SENTENCE = 'You opened a view link: you can watch and follow, but not edit.';

export class RoomPolicy {
  readonly state: ReadonlySignal<RoomStateMessage | null>;
  /** A state came from the relay on this page (not only the stored one from an earlier visit). */
  readonly received = signal(false);
  /** The relay's clock minus this one's, as of the last state (ms). */
  readonly clockOffsetMs = signal(0);
  /** May this page change the document now: the role allows it and the relay has not said otherwise. */
  readonly editable: ReadonlySignal<boolean>;
  /** Why the page is read-only (null when it is not), in a sentence. */
  readonly readOnlyReason: ReadonlySignal<string | null>;
  private readonly current = signal<RoomStateMessage | null>(null);

  constructor(
    private readonly storageKey: string,
    role: ReadonlySignal<Role>,
  ) {
    this.state = this.current;
    this.current.value = loadStored(storageKey);
    this.editable = computed(() => canEdit(role.value) && (this.current.value?.canEdit ?? true));
    this.readOnlyReason = computed(() => {
      if (!canEdit(role.value)) return VIEW_LINK_SENTENCE;
      const state = this.current.value;
      return state && !state.canEdit ? (state.reason ?? 'the relay does not let you edit now') : null;
    });
  }

  apply(message: RoomStateMessage): void {
    this.clockOffsetMs.value = message.serverTime - Date.now();
    this.current.value = message;
    this.received.value = true;
    saveJson(this.storageKey, message);
  }

  /** The relay's clock now (ms), for countdowns that must not depend on this machine's clock. */
  serverNow(): number {
    return Date.now() + this.clockOffsetMs.peek();
  }
}

function loadStored(key: string): RoomStateMessage | null {
  const stored = loadJson<RoomStateMessage>(key);
  if (!stored) return null;
  try {
    // Through the codec: whatever is stored is validated like a frame from the relay.
    const message = decode(Direction.RelayToClient, encode(stored));
    return message.type === MessageType.RoomState ? message : null;
  } catch {
    return null;
  }
}
