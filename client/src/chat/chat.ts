/** Chat lives in the document (`chat`), so it syncs, persists and works offline like the code. */
import { signal, type Signal } from '@preact/signals';
import type * as Y from 'yjs';
import { chatOf } from '../../../shared/schema/project.js';

export const CHAT_TEXT_MAX_CHARS = 2000;
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

export function sendChat(doc: Y.Doc, message: Omit<ChatMessage, 'at'>): void {
  const text = message.text.trim().slice(0, CHAT_TEXT_MAX_CHARS);
  if (text) chatOf(doc).push([{ ...message, text, at: Date.now() }]);
}
