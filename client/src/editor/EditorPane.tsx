/** Mounts the room's Monaco editor and keeps it in step with the room's signals. */
import { effect } from '@preact/signals';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { theme } from '../lib/theme.js';
import type { RoomState } from '../room/roomState.js';
import { toast } from '../ui/toast.js';
import { BinaryView } from './BinaryView.js';
import { showsCursor } from '../presence/cursorRule.js';
import type { EditorKit } from './editorKitType.js';
import { AuthorsLegend } from '../replay/AuthorsLegend.js';
import { fileText, showLiveAuthorship } from '../replay/liveAuthorship.js';
import { attachLanguageServers, languageServerNote } from '../lsp/languageServers.js';

let saveNoticeShown = false;

export function EditorPane(props: { room: RoomState; kit: EditorKit }) {
  const host = useRef<HTMLDivElement>(null);
  const { room } = props;
  const intelNote = useMemo(() => languageServerNote(room), [room]);

  useEffect(() => {
    const { conn } = room;
    const controller = new props.kit.EditorController(
      props.kit.monaco,
      host.current!,
      conn.doc,
      conn.awareness,
      conn.canEdit,
      {
        onLocalInteraction: () => {
          if (room.following.peek() !== null) room.following.value = null;
        },
        onSaveShortcut: () => {
          // There is no save: say so once, then let the habit be.
          if (saveNoticeShown) return;
          saveNoticeShown = true;
          toast('No need to save: Tandem stores every change as you type.');
        },
        onRunShortcut: () => room.runShortcut(),
        onOpenFile: (fileId) => room.open(fileId),
      },
    );
    // Next to `window.tandem.doc` (see RoomGate): the editor, for debugging and tests.
    Object.assign((window as { tandem?: object }).tandem ?? {}, { editor: controller.editor });
    const disposers = [
      // Before the models come: the providers and markers then serve the first file too.
      attachLanguageServers(props.kit.monaco, room),
      effect(() => controller.setTheme(theme.value === 'dark')),
      effect(() => controller.setCanEdit(conn.canEdit, conn.policy.readOnlyReason.value)),
      effect(() => {
        const settings = room.settings.value;
        controller.setCursorFilter((peer) => showsCursor(settings, peer));
      }),
      effect(() => {
        // Files list first: a file that arrives with the first sync can then be shown.
        const files = room.fileById.value;
        const active = room.active.value;
        controller.setPaths(room.pathById.value);
        controller.show(active && files.get(active)?.kind === 'text' ? active : null);
      }),
      effect(() => {
        const open = new Set(room.tabs.value);
        const paths = room.pathById.value;
        for (const id of [...open, controller.openFileId]) if (id && !paths.has(id)) controller.close(id);
      }),
      effect(() => {
        // After the model switch above (effects run in order), so the new file gets the caret.
        if (room.focusRequest.value > 0) controller.focus();
      }),
      effect(() => {
        const peer = room.followed.value;
        if (peer && peer.file === room.active.value) controller.revealPeer(peer.clientId);
      }),
      effect(() => {
        if (!room.showAuthors.value) return;
        const live = showLiveAuthorship({
          monaco: props.kit.monaco,
          editor: controller.editor,
          doc: conn.doc,
          text: fileText(conn.doc, room.active.peek()),
          roomId: conn.roomId,
          token: conn.token,
          awareness: conn.awareness,
        });
        const follow = effect(() => live.setText(fileText(conn.doc, room.active.value)));
        const mirror = effect(() => {
          room.authorsLegend.value = live.legend.value;
          room.authorsStatus.value =
            live.status.value === 'loading' ? 'Reading the history…' : live.error.value;
        });
        return () => {
          follow();
          mirror();
          live.dispose();
          room.authorsLegend.value = [];
          room.authorsStatus.value = null;
        };
      }),
    ];
    return () => {
      for (const dispose of disposers) dispose();
      controller.dispose();
    };
  }, [room]);

  const active = room.active.value === null ? undefined : room.fileById.value.get(room.active.value);
  return (
    <div class="editor-area">
      <div class="editor-host" ref={host} data-testid="editor" />
      {room.showAuthors.value && (
        <div class="editor-authors" data-testid="live-authors">
          {room.authorsStatus.value && <span class="muted">{room.authorsStatus.value}</span>}
          <AuthorsLegend entries={room.authorsLegend.value} />
        </div>
      )}
      {active?.kind === 'text' && intelNote.value && (
        <div class="editor-note muted" data-testid="language-server-note">
          {intelNote.value}
        </div>
      )}
      {active?.kind === 'binary' && (
        <BinaryView room={room} id={active.id} path={active.path} size={active.size} />
      )}
      {!active && (
        <div class="editor-empty">
          {room.files.value.length === 0
            ? 'No files yet: create one in the tree on the left.'
            : 'Open a file from the tree.'}
        </div>
      )}
    </div>
  );
}
