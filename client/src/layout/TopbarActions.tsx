/**
 * The top bar's room actions (Authors, History, Fork, Room, Share). Where the
 * bar is too narrow for them and the panel toggles together, room.css folds
 * them behind a "More" button into a small list under it; wide, they sit in
 * the bar and the button is not shown. A disclosure, not a menu: the items
 * are the same buttons as in the bar. On a phone the theme switch joins them.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { mayReview } from '../../../shared/rooms.js';
import { theme, toggleTheme } from '../lib/theme.js';
import { HistoryButton } from '../replay/ReplayLinks.js';
import type { RoomState } from '../room/roomState.js';
import { ForkButton } from '../ui/ForkButton.js';
import { MoonIcon, SunIcon } from '../ui/icons.js';
import { MoreIcon } from './layoutIcons.js';

const LIST_ID = 'topbar-actions-list';

export function TopbarActions(props: { children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    addEventListener('keydown', onKey);
    addEventListener('pointerdown', onPointer);
    return () => {
      removeEventListener('keydown', onKey);
      removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div class={`topbar-actions${open ? ' open' : ''}`} ref={box}>
      <button
        ref={button}
        class="icon-button topbar-more"
        aria-label="More"
        aria-expanded={open}
        aria-controls={LIST_ID}
        title="History, fork, share and more"
        data-testid="topbar-more"
        onClick={() => setOpen(!open)}
      >
        <MoreIcon />
      </button>
      {/* Any button in the list does its thing and puts the list away (Share opens its dialog). */}
      <div
        class="topbar-actions-list"
        id={LIST_ID}
        onClick={(e) => (e.target as Element).closest('button') && setOpen(false)}
      >
        {props.children}
        <ThemeItem />
      </div>
    </div>
  );
}

/** The theme switch as a labelled item, for the list; room.css shows it only where the bar's icon is hidden. */
function ThemeItem() {
  const dark = theme.value === 'dark';
  return (
    <button class="button small theme-item" onClick={toggleTheme}>
      {dark ? <SunIcon size={14} /> : <MoonIcon size={14} />} {dark ? 'Light theme' : 'Dark theme'}
    </button>
  );
}

/**
 * History and Fork, for those who may review the room (`mayReview`: in an
 * interview, the owner and interviewers unless the owner opens it to everyone).
 * The relay refuses the others anyway. The buttons follow the settings live,
 * and stay away until the room's settings are known, so that a candidate never
 * sees them flash up.
 */
export function ReviewActions(props: { room: RoomState }) {
  const { conn } = props.room;
  const settings = props.room.settings.value;
  if (!settings || !mayReview(settings, conn.me.value.role)) return null;
  return (
    <>
      <HistoryButton roomId={conn.roomId} />
      <ForkButton roomId={conn.roomId} token={conn.token} />
    </>
  );
}
