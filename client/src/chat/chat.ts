/**
 * Chat lives in the document (`chat`), so it syncs, persists and replays like
 * the code. Entries are written by the relay (`chatSend`), stamped with the
 * sender's user id and name; a client's own writes into `chat` are refused.
 */
import { signal, type Signal } from '@preact/signals';
import type * as Y from 'yjs';
import type { Role } from '../../../shared/roles.js';
import { chatRight, type RoomSettings } from '../../../shared/rooms.js';
import { CHAT_TEXT_MAX_CHARS, chatOf } from '../../../shared/schema/project.js';

export { CHAT_TEXT_MAX_CHARS };
/** Only the latest messages are rendered; the document keeps them all. */
const CHAT_SHOWN_MAX = 200;

export interface ChatMessage {
  userId: string;
  name: string;
  text: string;
  at: number;
}

function readMessage(value: unknown): ChatMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { userId, name, text, at } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof name !== 'string' || typeof text !== 'string') return null;
  if (typeof at !== 'number') return null;
  return { userId, name: name.slice(0, 64), text: text.slice(0, CHAT_TEXT_MAX_CHARS), at };
}

export function watchChat(doc: Y.Doc): { messages: Signal<ChatMessage[]>; stop: () => void } {
  const chat = chatOf(doc);
  const read = () =>
    chat
      .toArray()
      .slice(-CHAT_SHOWN_MAX)
      .map(readMessage)
      .filter((m): m is ChatMessage => m !== null);
  const messages = signal(read());
  const onChange = () => (messages.value = read());
  chat.observe(onChange);
  return { messages, stop: () => chat.unobserve(onChange) };
}

/**
 * Why this person may not post now, as a sentence for the chat's input; null
 * when they may. The relay's own rule (`chatRight`): chat is a right of its
 * own, so a viewer or a student without the edit right chats too. Until the
 * settings are known, the input stays open and the relay has the last word.
 */
export function chatRefusal(settings: RoomSettings | null, role: Role): string | null {
  const reason = settings && chatRight(settings, role).reason;
  return reason ? reason[0]!.toUpperCase() + reason.slice(1) : null;
}
