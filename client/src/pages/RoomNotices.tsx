/**
 * Below the top bar: what the room's settings mean for this person right now.
 * The room has ended (read-only, fork to go on); you are read-only and why;
 * who drives and when the keyboard changes hands; edits that were discarded.
 * In a corner, for as long as the room is open: what others did (notices/).
 */
import type { Signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { canEdit } from '../../../shared/roles.js';
import { mayReview } from '../../../shared/rooms.js';
import { ForkButton } from '../ui/ForkButton.js';
import { CloseIcon } from '../ui/icons.js';
import { driverTurn, formatCountdown, useServerNow } from '../room/driverClock.js';
import type { RoomState } from '../room/roomState.js';
import { startNotices } from '../notices/startNotices.js';

export function RoomNotices(props: { room: RoomState; notice: Signal<string | null> }) {
  const { room, notice } = props;
  const { conn } = room;
  useEffect(() => startNotices(room), [room]);
  const settings = room.settings.value;
  const reason = conn.policy.readOnlyReason.value;
  const ended = settings !== null && settings.endedAt !== null;
  const discarded = notice.value;
  return (
    <>
      {ended &&
        (mayReview(settings, conn.me.value.role) ? (
          <div class="notice notice-ended" role="status" data-testid="ended-notice">
            <span>This room has ended — read-only. Fork it to continue in a copy of your own.</span>
            <ForkButton roomId={conn.roomId} token={conn.token} label="Fork to continue" primary />
          </div>
        ) : (
          // An interview's candidate may not copy it: no fork to offer.
          <div class="notice notice-ended" role="status" data-testid="ended-notice">
            <span>This room has ended — read-only.</span>
          </div>
        ))}
      {!ended && reason && canEdit(conn.me.value.role) && (
        <div class="notice notice-readonly" role="status" data-testid="read-only-notice">
          Read-only: {reason}
        </div>
      )}
      {!ended && settings?.driver && <DriverNotice room={room} />}
      {discarded && (
        <div class="notice notice-error" role="alert" data-testid="discard-notice">
          <span>{discarded}</span>
          <button class="icon-button" aria-label="Dismiss" onClick={() => (notice.value = null)}>
            <CloseIcon size={14} />
          </button>
        </div>
      )}
    </>
  );
}

function DriverNotice(props: { room: RoomState }) {
  const { room } = props;
  const timer = room.settings.value?.driver ?? null;
  const now = useServerNow(room.conn.policy, timer !== null);
  if (!timer) return null;
  const turn = driverTurn(timer, now);
  const me = room.conn.me.value.userId;
  const name = (userId: string) => (userId === me ? 'You' : nameOf(room, userId));
  return (
    <div class="notice notice-driver" role="status" data-testid="driver-notice" data-driver={turn.driver}>
      <span>
        <strong>{name(turn.driver)}</strong> {turn.driver === me ? 'drive' : 'drives'},{' '}
        <strong>{name(turn.navigator)}</strong> {turn.navigator === me ? 'navigate' : 'navigates'}
      </span>
      <span class="spacer" />
      <span class="muted">
        Swap in <span data-testid="driver-countdown">{formatCountdown(turn.msLeft)}</span>
      </span>
    </div>
  );
}

function nameOf(room: RoomState, userId: string): string {
  const listed = room.participants.info.value?.participants.find((p) => p.userId === userId);
  return listed?.name ?? room.peers.value.find((p) => p.userId === userId)?.name ?? 'someone who left';
}
