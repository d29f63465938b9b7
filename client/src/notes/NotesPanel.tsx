/**
 * An interview room's private notes, for the interviewers only: a document of
 * its own (`/yjs/:roomId/notes`), on a connection of its own, which the relay
 * serves to owner and interviewer tokens and never to a candidate's. The room
 * page mounts this only once the relay's roomState says `notes`.
 */
import { notesText } from '../../../shared/schema/notes.js';
import { effect } from '@preact/signals';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { EditorKit } from '../editor/editorKitType.js';
import { RoomConnection } from '../room/connection.js';
import { Reopening } from '../room/reopen.js';
import type { RoomState } from '../room/roomState.js';
import { CloseIcon } from '../ui/icons.js';

export function NotesPanel(props: { room: RoomState; kit: EditorKit }) {
  const { conn } = props.room;
  const notes = useMemo(
    () =>
      new Reopening(() => ({
        conn: new RoomConnection(conn.roomId, conn.token, conn.me.peek(), 'notes'),
        destroy() {},
      })),
    [conn],
  );
  useEffect(() => () => notes.destroy(), [notes]);
  const notice = notes.notice.value;
  return (
    <section class="panel notes" aria-label="Private notes" data-testid="notes">
      <h3 class="panel-title" title="Only interviewers see these notes; the candidate never receives them.">
        Private notes
      </h3>
      <p class="notes-hint muted">Interviewers only: never sent to the candidate.</p>
      <NotesEditorHost key={notes.generation.value} notesConn={notes.current.value.conn} kit={props.kit} />
      {notice && (
        <p class="notice notice-error" role="alert">
          <span>{notice}</span>
          <button class="icon-button" aria-label="Dismiss" onClick={() => (notes.notice.value = null)}>
            <CloseIcon size={14} />
          </button>
        </p>
      )}
    </section>
  );
}

function NotesEditorHost(props: { notesConn: RoomConnection; kit: EditorKit }) {
  const host = useRef<HTMLDivElement>(null);
  const { notesConn, kit } = props;
  useEffect(() => {
    const notes = kit.createNotesEditor(kit.monaco, host.current!, notesText(notesConn.doc));
    // Beside `window.tandem` (see RoomGate), for debugging and tests.
    Object.assign((window as { tandem?: object }).tandem ?? {}, {
      notes: { conn: notesConn, doc: notesConn.doc, editor: notes.editor },
    });
    const stop = effect(() => notes.setReadOnly(notesConn.policy.readOnlyReason.value));
    return () => {
      stop();
      notes.dispose();
    };
  }, [notesConn, kit]);
  return <div class="notes-host" ref={host} data-testid="notes-editor" />;
}
