/**
 * Owner only: the room's policy. Mode (open: every edit link edits; classroom:
 * the owner picks editors in the People list), who may see the history (an
 * interview's), muting the chat, the driver/navigator timer, and ending the
 * room (read-only for everyone; it can still be forked).
 */
import { useState } from 'preact/hooks';
import { canEdit } from '../../../shared/roles.js';
import { DRIVER_PERIOD_MIN_MS, RoomKind, RoomMode, type RoomSettings } from '../../../shared/rooms.js';
import { endRoom, startDriver, stopDriver, updateRoom } from '../lib/roomApi.js';
import { peopleRows } from '../presence/peopleRows.js';
import { attempt } from '../ui/attempt.js';
import { confirmDialog, Dialog } from '../ui/Dialog.js';
import { driverRequest, MINUTE_MS } from '../room/driverClock.js';
import type { RoomState } from '../room/roomState.js';

const DEFAULT_MINUTES = 10;

export function RoomSettingsDialog(props: { room: RoomState; onClose: () => void }) {
  const { room } = props;
  const settings = room.settings.value;
  return (
    <Dialog title="Room settings" onClose={props.onClose} testId="room-settings-dialog">
      {!settings && <p class="muted">Waiting for the room's settings from the server…</p>}
      {settings && (
        <>
          <ModeSwitch room={room} settings={settings} />
          <HistoryAndChat room={room} settings={settings} />
          <Presenting room={room} settings={settings} />
          <DriverControls room={room} settings={settings} />
          <EndRoom room={room} settings={settings} onEnded={props.onClose} />
        </>
      )}
    </Dialog>
  );
}

function ModeSwitch(props: { room: RoomState; settings: RoomSettings }) {
  const { conn } = props.room;
  const setMode = (mode: RoomMode) =>
    void attempt(updateRoom(conn.roomId, conn.token, { mode }), 'The mode could not be changed.');
  const option = (mode: RoomMode, label: string, hint: string) => (
    <label class="choice">
      <input
        type="radio"
        name="mode"
        checked={props.settings.mode === mode}
        disabled={props.settings.endedAt !== null}
        data-testid={`mode-${mode}`}
        onChange={() => setMode(mode)}
      />
      <span>
        <strong>{label}</strong> <span class="muted">{hint}</span>
      </span>
    </label>
  );
  return (
    <fieldset class="settings-group">
      <legend>Who edits</legend>
      {option(RoomMode.Open, 'Open', 'everyone with an edit link edits.')}
      {option(
        RoomMode.Classroom,
        'Classroom',
        'you choose editors in the People list; only their cursors show.',
      )}
    </fieldset>
  );
}

/** Who may review the room (interviews only: elsewhere everyone may), and muting the chat. */
function HistoryAndChat(props: { room: RoomState; settings: RoomSettings }) {
  const { conn } = props.room;
  const { settings } = props;
  const interview = settings.kind === RoomKind.Interview;
  const set = (change: { historyForAll: boolean } | { chatMuted: boolean }) =>
    void attempt(updateRoom(conn.roomId, conn.token, change), 'The setting could not be changed.');
  return (
    <fieldset class="settings-group">
      <legend>{interview ? 'History and chat' : 'Chat'}</legend>
      {interview && (
        <label class="choice">
          <input
            type="checkbox"
            checked={settings.historyForAll}
            data-testid="history-for-all"
            onChange={(e) => set({ historyForAll: e.currentTarget.checked })}
          />
          <span>
            <strong>Candidates and observers may see history and fork</strong>{' '}
            <span class="muted">otherwise only you and the interviewers can.</span>
          </span>
        </label>
      )}
      <label class="choice">
        <input
          type="checkbox"
          checked={settings.chatMuted}
          disabled={settings.endedAt !== null}
          data-testid="chat-muted"
          onChange={(e) => set({ chatMuted: e.currentTarget.checked })}
        />
        <span>
          <strong>Mute chat</strong>{' '}
          <span class="muted">only you{interview ? ' and the interviewers' : ''} can post.</span>
        </span>
      </label>
    </fieldset>
  );
}

/** Everyone follows the owner: a lesson or a walkthrough, without asking each person to click Follow. */
function Presenting(props: { room: RoomState; settings: RoomSettings }) {
  const { conn } = props.room;
  const { settings } = props;
  return (
    <fieldset class="settings-group">
      <legend>Presenting</legend>
      <label class="choice">
        <input
          type="checkbox"
          checked={settings.followOwner}
          disabled={settings.endedAt !== null}
          data-testid="follow-owner"
          onChange={(e) =>
            void attempt(
              updateRoom(conn.roomId, conn.token, { followOwner: e.currentTarget.checked }),
              'The setting could not be changed.',
            )
          }
        />
        <span>
          <strong>Everyone follows me</strong>{' '}
          <span class="muted">
            people see the file you have open, also when they join; they can look elsewhere any time.
          </span>
        </span>
      </label>
    </fieldset>
  );
}

function DriverControls(props: { room: RoomState; settings: RoomSettings }) {
  const { room, settings } = props;
  const { conn } = room;
  const people = peopleRows(room.participants.info.value?.participants ?? null, room.peers.value, '').filter(
    (p) => canEdit(p.role),
  );
  const [driver, setDriver] = useState('');
  const [navigator, setNavigator] = useState('');
  const [minutes, setMinutes] = useState(String(DEFAULT_MINUTES));
  const [error, setError] = useState('');
  const name = (userId: string) => people.find((p) => p.userId === userId)?.name ?? 'someone who left';

  const start = async () => {
    const request = driverRequest(driver, navigator, minutes);
    if (typeof request === 'string') return setError(request);
    setError('');
    await attempt(
      startDriver(conn.roomId, conn.token, request.userIds, request.minutes),
      'The timer could not be started.',
    );
  };
  const timer = settings.driver;
  const picker = (value: string, set: (v: string) => void, testId: string, label: string) => (
    <label class="field">
      <span>{label}</span>
      <select value={value} data-testid={testId} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {people.map((p) => (
          <option key={p.userId} value={p.userId}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset class="settings-group" disabled={settings.endedAt !== null}>
      <legend>Driver and navigator</legend>
      {timer ? (
        <div class="settings-row">
          <span>
            {name(timer.userIds[0])} and {name(timer.userIds[1])} swap every {formatMinutes(timer.periodMs)}.
          </span>
          <button
            class="button small"
            data-testid="driver-stop"
            onClick={() =>
              void attempt(stopDriver(conn.roomId, conn.token), 'The timer could not be stopped.')
            }
          >
            Stop
          </button>
        </div>
      ) : (
        <>
          <p class="muted">
            Only the driver types; the keyboard passes to the navigator when the time is up.
          </p>
          <div class="settings-row">
            {picker(driver, setDriver, 'driver-select', 'Driver')}
            {picker(navigator, setNavigator, 'navigator-select', 'Navigator')}
            <label class="field">
              <span>Minutes</span>
              <input
                type="number"
                min={DRIVER_PERIOD_MIN_MS / MINUTE_MS}
                step="0.5"
                value={minutes}
                data-testid="driver-minutes"
                onInput={(e) => setMinutes(e.currentTarget.value)}
              />
            </label>
          </div>
          {error && (
            <p class="error" role="alert" data-testid="driver-error">
              {error}
            </p>
          )}
          <button class="button small primary" data-testid="driver-start" onClick={() => void start()}>
            Start
          </button>
        </>
      )}
    </fieldset>
  );
}

function formatMinutes(ms: number): string {
  const minutes = ms / MINUTE_MS;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function EndRoom(props: { room: RoomState; settings: RoomSettings; onEnded: () => void }) {
  const { conn } = props.room;
  if (props.settings.endedAt !== null) return <p class="muted">This room has ended: it is read-only.</p>;
  const end = async () => {
    const sure = await confirmDialog({
      title: 'End this room?',
      body: 'It becomes read-only for everyone; it can still be forked.',
      confirm: 'End room',
      danger: true,
    });
    if (!sure) return;
    const ended = await attempt(endRoom(conn.roomId, conn.token), 'The room could not be ended.');
    if (ended) props.onEnded();
  };
  return (
    <fieldset class="settings-group">
      <legend>End the room</legend>
      <div class="settings-row">
        <span class="muted">Everyone keeps reading it; nobody edits it again.</span>
        <button class="button small danger" data-testid="end-room" onClick={() => void end()}>
          End room
        </button>
      </div>
    </fieldset>
  );
}
