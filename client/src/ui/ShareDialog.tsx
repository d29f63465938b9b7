/**
 * Owner only: the links to hand out. An edit link lets people type; a view link
 * lets them watch. Each person who opens a link gets their own identity.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, mintToken, roomLink } from '../lib/api.js';
import { parseRoomLink } from '../lib/route.js';
import { storedLinks } from '../room/session.js';
import { CloseIcon } from './icons.js';

interface Links {
  edit: string;
  view: string;
}

/** Links from the create response, rebuilt on this page's origin (the relay may know another). */
function rebase(link: string, roomId: string): string | null {
  const parsed = parseRoomLink(link);
  return parsed?.roomId === roomId && parsed.linkToken ? roomLink(roomId, parsed.linkToken) : null;
}

async function loadLinks(roomId: string, ownerToken: string): Promise<Links> {
  const stored = storedLinks(roomId);
  const edit = stored && rebase(stored.edit, roomId);
  const view = stored && rebase(stored.view, roomId);
  if (edit && view) return { edit, view };
  const [editToken, viewToken] = await Promise.all([
    mintToken(roomId, ownerToken, 'editor'),
    mintToken(roomId, ownerToken, 'viewer'),
  ]);
  return { edit: roomLink(roomId, editToken), view: roomLink(roomId, viewToken) };
}

export function ShareDialog(props: { roomId: string; ownerToken: string; onClose: () => void }) {
  const [links, setLinks] = useState<Links | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    loadLinks(props.roomId, props.ownerToken).then(setLinks, (caught: unknown) =>
      setError(caught instanceof ApiError ? caught.message : 'Could not make the links.'),
    );
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [props.roomId]);

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="card dialog" role="dialog" aria-label="Share this room">
        <div class="dialog-head">
          <h2>Share this room</h2>
          <button class="icon-button" onClick={props.onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        {error && <p class="error">{error}</p>}
        {!links && !error && <p class="muted">Making links…</p>}
        {links && (
          <>
            <LinkRow
              label="Can edit"
              hint="Anyone with this link can change the code."
              link={links.edit}
              id="edit"
            />
            <LinkRow
              label="Can view"
              hint="Watch live, follow people, no typing."
              link={links.view}
              id="view"
            />
          </>
        )}
      </div>
    </div>
  );
}

function LinkRow(props: { label: string; hint: string; link: string; id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.link);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (no permission): the field is selectable by hand.
    }
  };
  return (
    <div class="link-row">
      <div class="link-label">
        <strong>{props.label}</strong> <span class="muted">{props.hint}</span>
      </div>
      <div class="link-field">
        <input
          readOnly
          value={props.link}
          data-testid={`link-${props.id}`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button class="button small" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
