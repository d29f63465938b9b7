/**
 * Owner only: the links to hand out. An edit link lets people type; a view link
 * lets them watch. An interview room has three: the interviewers', the
 * candidate's and the observers'. Each person who opens a link gets their own
 * identity. "New links" retires every link made so far (say, after removing
 * someone who still has one); people already in the room stay.
 */
import { useEffect, useState } from 'preact/hooks';
import { RoomKind } from '../../../shared/rooms.js';
import { ApiError, shortLink, shortLinkUrl } from '../lib/api.js';
import { rememberLinks, storedLinks } from '../room/session.js';
import { resetLinks } from '../lib/roomApi.js';
import { confirmDialog, Dialog } from './Dialog.js';

interface Links {
  edit: string;
  view: string;
  interviewer?: string;
}

/**
 * A short link this browser kept, rebuilt on this page's origin; null for
 * anything else (a long link kept by an older version is made again, short).
 */
function rebase(link: string | undefined): string | null {
  const code = link ? /\/j\/([\w-]+)$/.exec(link)?.[1] : undefined;
  return code ? shortLinkUrl(code) : null;
}

async function loadLinks(roomId: string, ownerToken: string, interview: boolean): Promise<Links> {
  const stored = storedLinks(roomId);
  const edit = rebase(stored?.edit);
  const view = rebase(stored?.view);
  const interviewer = rebase(stored?.interviewer);
  if (edit && view && (!interview || interviewer))
    return { edit, view, interviewer: interviewer ?? undefined };
  const mint = (role: 'editor' | 'viewer' | 'interviewer') => shortLink(roomId, ownerToken, role);
  const [editLink, viewLink, interviewerLink] = await Promise.all([
    mint('editor'),
    mint('viewer'),
    interview ? mint('interviewer') : Promise.resolve(undefined),
  ]);
  const links = { edit: editLink, view: viewLink, interviewer: interviewerLink };
  rememberLinks(roomId, links);
  return links;
}

export function ShareDialog(props: {
  roomId: string;
  ownerToken: string;
  kind: RoomKind;
  onClose: () => void;
}) {
  const [links, setLinks] = useState<Links | null>(null);
  const [error, setError] = useState('');
  const interview = props.kind === RoomKind.Interview;

  const [generation, setGeneration] = useState(0);
  const failed = (what: string) => (caught: unknown) =>
    setError(caught instanceof ApiError ? caught.message : what);

  useEffect(() => {
    loadLinks(props.roomId, props.ownerToken, interview).then(setLinks, failed('Could not make the links.'));
  }, [props.roomId, interview, generation]);

  const renew = async () => {
    const renewed = await confirmDialog({
      title: 'Make new links?',
      body: 'Every link handed out so far stops working; people already in the room stay.',
      confirm: 'Make new links',
    });
    if (!renewed) return;
    setLinks(null);
    setError('');
    try {
      await resetLinks(props.roomId, props.ownerToken);
    } catch (caught) {
      failed('Could not reset the links.')(caught);
      return;
    }
    rememberLinks(props.roomId, null);
    setGeneration((n) => n + 1);
  };

  return (
    <Dialog title={interview ? 'Share this interview' : 'Share this room'} onClose={props.onClose}>
      {error && <p class="error">{error}</p>}
      {!links && !error && <p class="muted">Making links…</p>}
      {links && interview && (
        <>
          <LinkRow
            label="Interviewer"
            hint="Edits, and reads the private notes."
            link={links.interviewer ?? ''}
            id="interviewer"
          />
          <LinkRow
            label="Candidate"
            hint="Edits the code; never sees the notes."
            link={links.edit}
            id="edit"
          />
          <LinkRow label="Observer" hint="Watches live, no typing." link={links.view} id="view" />
        </>
      )}
      {links && !interview && (
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
      {links && (
        <div class="link-reset">
          <span class="muted">Removed someone who still has a link?</span>
          <button class="button small" data-testid="reset-links" onClick={() => void renew()}>
            New links
          </button>
        </div>
      )}
    </Dialog>
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
