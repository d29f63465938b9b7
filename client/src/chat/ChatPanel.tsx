import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { colorFor } from '../lib/colors.js';
import type { RoomState } from '../room/roomState.js';
import { SendIcon } from '../ui/icons.js';
import { CHAT_TEXT_MAX_CHARS, chatRefusal, watchChat } from './chat.js';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function ChatPanel(props: { room: RoomState }) {
  const { conn } = props.room;
  const chat = useMemo(() => watchChat(conn.doc), [conn]);
  useEffect(() => chat.stop, [chat]);
  const [draft, setDraft] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const messages = chat.messages.value;
  const outbox = conn.chatOutbox.value;
  // The name the relay knows for each sender, over whatever an entry says.
  const names = new Map(props.room.participants.info.value?.participants.map((p) => [p.userId, p.name]));

  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, outbox.length]);

  const send = (event: Event) => {
    event.preventDefault();
    conn.sendChat(draft);
    setDraft('');
  };
  const refusal = chatRefusal(props.room.settings.value, conn.me.value.role);
  return (
    <section class="panel chat" aria-label="Chat">
      <h3 class="panel-title">Chat</h3>
      <ol class="messages" ref={list} data-testid="chat-messages">
        {messages.length === 0 && outbox.length === 0 && <li class="muted chat-empty">No messages yet.</li>}
        {messages.map((m, i) => (
          <li key={`${m.at}-${i}`} class="message">
            <span class="message-head">
              <span class="message-name" style={{ color: colorFor(m.userId) }}>
                {names.get(m.userId) ?? m.name}
              </span>
              <time class="muted">{time.format(m.at)}</time>
            </span>
            <span class="message-text">{m.text}</span>
          </li>
        ))}
        {outbox.map((text, i) => (
          <li key={`outbox-${i}`} class="message pending" data-testid="chat-pending">
            <span class="message-head">
              <span class="message-name" style={{ color: colorFor(conn.me.value.userId) }}>
                {conn.me.value.name}
              </span>
              <span class="muted">sending…</span>
            </span>
            <span class="message-text">{text}</span>
          </li>
        ))}
      </ol>
      <form class="chat-form" onSubmit={send}>
        <input
          name="chat"
          value={draft}
          maxLength={CHAT_TEXT_MAX_CHARS}
          disabled={refusal !== null}
          placeholder={refusal ?? 'Message'}
          title={refusal ?? undefined}
          autocomplete="off"
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button
          class="icon-button"
          type="submit"
          disabled={refusal !== null || !draft.trim()}
          aria-label="Send"
        >
          <SendIcon />
        </button>
      </form>
    </section>
  );
}
