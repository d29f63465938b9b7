/**
 * How many chat messages arrived while the chat was out of sight, for the badge
 * on its toggle: on a phone the chat is a closed drawer most of the time.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { chatOf } from '../../../shared/schema/project.js';
import type { RoomState } from '../room/roomState.js';

export function useUnreadChat(room: RoomState, visible: boolean): number {
  const chat = useMemo(() => chatOf(room.conn.doc), [room]);
  const [, rerender] = useState(0);
  useEffect(() => {
    const changed = () => rerender((n) => n + 1);
    chat.observe(changed);
    return () => chat.unobserve(changed);
  }, [chat]);
  const seen = useRef(0);
  const hadSync = useRef(false);
  // What the page loads (from this browser, then the first sync) is the room's past, not news.
  if (visible || !hadSync.current) seen.current = chat.length;
  if (room.conn.synced.value) hadSync.current = true;
  return Math.max(0, chat.length - seen.current);
}
