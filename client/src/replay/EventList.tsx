/**
 * Who did what when, and the chat as it stood at the moment shown. Clicking a
 * row jumps there (a run's row also opens its output); the current row stays
 * in view as playback moves on. Each person's typing is one row per burst
 * ("Ann edited main.py ×12"), even while others type too (editBursts.ts, applied by
 * ReplaySession so that stepping moves by the same rows).
 */
import { useEffect, useRef } from 'preact/hooks';
import { currentRow, describeRow, type EventRow } from './eventRows.js';
import type { ReplaySession } from './replaySession.js';

/** Rows drawn at once around the current one; a long session has thousands. */
const ROWS_AROUND = 200;
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function EventList(props: { session: ReplaySession }) {
  const { session } = props;
  const position = session.position.value;
  const { rows } = session;
  const current = currentRow(rows, position);
  const list = useRef<HTMLOListElement>(null);
  const from = Math.max(0, current - ROWS_AROUND);
  const to = Math.min(rows.length, current + ROWS_AROUND + 1);

  useEffect(() => {
    list.current?.querySelector('.current')?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const open = (row: EventRow) => {
    session.pause();
    session.seek(row.index);
    if (row.kind === 'run') session.openRun.value = row.run;
  };
  return (
    <section class="panel replay-events" aria-label="Events">
      <h3 class="panel-title">
        Events <span class="count">{rows.length}</span>
      </h3>
      <ol class="replay-rows" ref={list} data-testid="replay-events">
        {rows.length === 0 && <li class="muted replay-note">Nothing happened in this room yet.</li>}
        {from > 0 && <li class="muted replay-note">{from} earlier…</li>}
        {rows.slice(from, to).map((row, i) => (
          <li key={from + i}>
            <button
              class={`replay-row${from + i === current ? ' current' : ''}${row.index > position ? ' later' : ''}`}
              data-kind={row.kind}
              data-index={row.index}
              onClick={() => open(row)}
            >
              <span class="replay-dot" style={{ background: session.colorOf(row.author) }} />
              <span class="replay-row-text">
                <span>
                  <strong>{session.nameOf(row.author)}</strong> {describeRow(row)}
                  {row.kind === 'edit' && row.count > 1 && ` ×${row.count}`}
                </span>
                <span class="muted">{clock.format(row.at)}</span>
              </span>
            </button>
          </li>
        ))}
        {to < rows.length && <li class="muted replay-note">{rows.length - to} later…</li>}
      </ol>
    </section>
  );
}

export function ChatThen(props: { session: ReplaySession }) {
  const { session } = props;
  const position = session.position.value;
  const shown = session.posts.filter((p) => p.index <= position);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown.length]);
  if (session.posts.length === 0) return null;
  return (
    <section class="panel replay-chat" aria-label="Chat at this moment">
      <h3 class="panel-title">Chat then</h3>
      <ol class="messages" ref={list} data-testid="replay-chat">
        {shown.length === 0 && <li class="muted chat-empty">No messages yet at this moment.</li>}
        {shown.map(({ index, post }, i) => (
          <li key={`${index}-${i}`} class="message">
            <span class="message-head">
              <span class="message-name" style={{ color: session.colorOf(post.userId) }}>
                {post.name}
              </span>
              <time class="muted">{clock.format(session.bundle.entries[index]!.at)}</time>
            </span>
            <span class="message-text">{post.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
