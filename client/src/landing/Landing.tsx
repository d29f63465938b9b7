/** The first page: create a room from a template, or open a link you were sent. */
import { useState } from 'preact/hooks';
import { RoomKind } from '../../../shared/rooms.js';
import { TEMPLATES } from '../../../shared/schema/templates.js';
import { ApiError, createRoom } from '../lib/api.js';
import { displayName, recentRooms, setDisplayName } from '../lib/profile.js';
import { navigate, parseRoomLink } from '../lib/route.js';
import { OpenReplayLink } from '../replay/ReplayLinks.js';
import { OWNER_LINK, remember } from '../room/session.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { TemplatePicker } from './TemplatePicker.js';

export function Landing() {
  const [template, setTemplate] = useState('python');
  const [roomName, setRoomName] = useState('');
  const [interview, setInterview] = useState(false);
  const [link, setLink] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const create = async (event: Event) => {
    event.preventDefault();
    if (!displayName.value) return setError('Enter your name first: others see it next to your cursor.');
    setBusy(true);
    setError('');
    try {
      const label = TEMPLATES.find((t) => t.id === template)?.name ?? 'Project';
      const room = await createRoom({
        name: roomName.trim() || `${label} ${interview ? 'interview' : 'project'}`,
        template,
        ownerName: displayName.value,
        ...(interview ? { kind: RoomKind.Interview } : {}),
      });
      remember(room.roomId, OWNER_LINK, room.token, room.links);
      navigate(`/r/${room.roomId}`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Could not create the room.');
      setBusy(false);
    }
  };

  const open = (event: Event) => {
    event.preventDefault();
    const parsed = parseRoomLink(link);
    if (!parsed) return setError('That is not a Tandem room link (it looks like …/r/abc#token=…).');
    navigate(
      `/r/${parsed.roomId}${parsed.linkToken ? `#token=${encodeURIComponent(parsed.linkToken)}` : ''}`,
    );
  };

  const recent = recentRooms();
  return (
    <div class="landing">
      <header class="landing-top">
        <span class="brand">
          <span class="brand-mark" /> Tandem
        </span>
        <ThemeToggle />
      </header>
      <main class="landing-main">
        <h1>Code together, in real time.</h1>
        <p class="lede">
          Open a project, share a link, and edit the same files at once: every keystroke syncs, offline edits
          merge when you are back, and nothing needs saving.
        </p>
        <form class="card" onSubmit={create}>
          <label class="field">
            <span>Your name</span>
            <input
              name="displayName"
              value={displayName.value}
              maxLength={64}
              placeholder="Ada Lovelace"
              autocomplete="nickname"
              onInput={(e) => setDisplayName(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Project name</span>
            <input
              name="roomName"
              value={roomName}
              maxLength={120}
              placeholder="Optional"
              onInput={(e) => setRoomName(e.currentTarget.value)}
            />
          </label>
          <span class="field-label">Start from</span>
          <TemplatePicker value={template} onChange={setTemplate} />
          <label class="choice">
            <input
              type="checkbox"
              checked={interview}
              data-testid="interview-toggle"
              onChange={(e) => setInterview(e.currentTarget.checked)}
            />
            <span>
              <strong>Interview room</strong>{' '}
              <span class="muted">
                separate links for interviewers, the candidate and observers; interviewers share private
                notes.
              </span>
            </span>
          </label>
          <button class="button primary" type="submit" disabled={busy} data-testid="create-room">
            {busy ? 'Creating…' : interview ? 'Create interview room' : 'Create room'}
          </button>
        </form>
        <form class="card open-link" onSubmit={open}>
          <label class="field">
            <span>Have a link?</span>
            <input
              name="link"
              value={link}
              placeholder="https://…/r/…#token=…"
              onInput={(e) => setLink(e.currentTarget.value)}
            />
          </label>
          <button class="button" type="submit">
            Open
          </button>
        </form>
        <OpenReplayLink />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {recent.length > 0 && (
          <section class="recent">
            <h2>Recent rooms</h2>
            <ul>
              {recent.map((r) => (
                <li key={r.roomId}>
                  <a
                    href={`/r/${r.roomId}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/r/${r.roomId}`);
                    }}
                  >
                    {r.name || r.roomId}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}
