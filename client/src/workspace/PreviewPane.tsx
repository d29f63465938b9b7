/**
 * The preview beside the editor, while the workspace has a port open or a dev
 * server: the page a program in the workspace serves, on that port's own
 * origin, with a port picker, an address bar, Back, Reload and "Open in new
 * tab". Its width is dragged on its left edge (or set with the arrow keys
 * there) and it folds into a strip on the right.
 */
import { useSignalEffect } from '@preact/signals';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { previewTicket } from '../lib/api.js';
import { loadJson, saveJson } from '../lib/storage.js';
import type { RoomState } from '../room/roomState.js';
import { BackIcon, ChevronIcon, ExternalIcon, ReloadIcon } from '../ui/icons.js';
import { toast } from '../ui/toast.js';
import { previewState, PreviewNav, toPath, type PreviewState } from './previewNav.js';

const WIDTH_KEY = 'tandem.previewWidth';
const COLLAPSED_KEY = 'tandem.previewCollapsed';
const WIDTH_MIN_PX = 260;
/** The editor keeps at least this much of the centre column. */
const EDITOR_MIN_PX = 280;
const KEY_STEP_PX = 24;
/**
 * The preview is its own origin, never this page's. Framed it is a third party: where third-party
 * cookies are blocked (headless Chromium) it gets no localStorage; its own tab ("Open in new tab") does.
 */
const SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads';

function clampWidth(width: number): number {
  const centre = document.querySelector('.center')?.clientWidth ?? 1200;
  const max = Math.max(WIDTH_MIN_PX, centre - EDITOR_MIN_PX);
  return Math.round(Math.min(max, Math.max(WIDTH_MIN_PX, width)));
}

export function PreviewPane(props: { room: RoomState }) {
  const { workspace, conn } = props.room;
  const nav = useMemo(
    () => new PreviewNav((previewId) => previewTicket(conn.roomId, conn.token, previewId)),
    [conn],
  );
  useSignalEffect(() => nav.follow(workspace.previews.value));
  const [width, setWidth] = useState(() => loadJson<number>(WIDTH_KEY));
  const [collapsed, setCollapsed] = useState(() => loadJson<boolean>(COLLAPSED_KEY) === true);
  const [dragging, setDragging] = useState(false);
  const path = nav.path.value;
  const [draft, setDraft] = useState(path);
  useEffect(() => setDraft(path), [path]);

  const devServer = workspace.devServer.value;
  const ports = nav.ports.value;
  if (ports.length === 0 && devServer === null) return null;

  const port = nav.port.value;
  const src = nav.src.value;
  const error = nav.error.value;
  const state = previewState(port, ports, devServer, nav.lost.value);
  const resize = (next: number) => {
    const clamped = clampWidth(next);
    setWidth(clamped);
    saveJson(WIDTH_KEY, clamped);
  };
  const fold = (next: boolean) => {
    setCollapsed(next);
    saveJson(COLLAPSED_KEY, next);
  };
  const startDrag = (e: PointerEvent) => {
    const handle = e.currentTarget as HTMLElement;
    const startX = e.clientX;
    const startWidth = handle.parentElement?.clientWidth ?? width ?? WIDTH_MIN_PX;
    handle.setPointerCapture(e.pointerId);
    setDragging(true);
    const move = (m: PointerEvent) => resize(startWidth + startX - m.clientX);
    const up = () => {
      setDragging(false);
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };
  const openTab = async () => {
    try {
      const url = await nav.freshUrl();
      if (url) window.open(url, '_blank', 'noopener');
    } catch (err) {
      toast(`The preview cannot be opened: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  };

  return (
    <section
      class={`preview-pane${collapsed ? ' collapsed' : ''}${dragging ? ' dragging' : ''}`}
      aria-label="Preview"
      data-testid="preview-pane"
      style={width === null || collapsed ? undefined : { width: `${width}px` }}
    >
      <div
        class="preview-resize"
        hidden={collapsed}
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the preview"
        tabIndex={0}
        onPointerDown={startDrag}
        onKeyDown={(e) => {
          const current = (e.currentTarget as HTMLElement).parentElement?.clientWidth ?? width ?? 0;
          if (e.key === 'ArrowLeft') resize(current + KEY_STEP_PX);
          if (e.key === 'ArrowRight') resize(current - KEY_STEP_PX);
        }}
      />
      {/* Folded, the frame stays where it is (a moved frame reloads, and its ticket is spent). */}
      <div class="preview-main" hidden={collapsed}>
        <div class="preview-bar">
          {ports.length > 1 && (
            <select
              class="run-select"
              name="preview-port"
              aria-label="Port"
              title="The port to show"
              value={port === null ? '' : String(port)}
              data-testid="preview-port"
              onChange={(e) => nav.pick(Number(e.currentTarget.value))}
            >
              {port === null && <option value="">Port…</option>}
              {ports.map((p) => (
                <option key={p} value={String(p)}>
                  :{p}
                </option>
              ))}
            </select>
          )}
          <button
            class="icon-button"
            aria-label="Back"
            title="Back to the previous address"
            disabled={!nav.canGoBack.value || port === null}
            data-testid="preview-back"
            onClick={() => nav.back()}
          >
            <BackIcon />
          </button>
          <button
            class="icon-button"
            aria-label="Reload"
            title="Reload the preview"
            disabled={port === null}
            data-testid="preview-reload"
            onClick={() => nav.reload()}
          >
            <ReloadIcon />
          </button>
          <input
            class="preview-address"
            name="preview-address"
            aria-label="Address"
            spellcheck={false}
            autocomplete="off"
            value={draft}
            data-testid="preview-address"
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              nav.navigate(draft);
              setDraft(toPath(draft));
            }}
          />
          <button
            class="icon-button"
            aria-label="Open in new tab"
            title="Open the preview in a new tab"
            disabled={port === null}
            data-testid="preview-open-tab"
            onClick={() => void openTab()}
          >
            <ExternalIcon />
          </button>
          <button
            class="icon-button preview-collapse"
            aria-label="Hide the preview"
            aria-expanded="true"
            title="Hide the preview"
            onClick={() => fold(true)}
          >
            <ChevronIcon />
          </button>
        </div>
        <div class={`preview-state ${state.tone}`} role="status" data-testid="preview-state">
          {state.tone === 'ok' && <span class="run-dot" />}
          {state.text}
        </div>
        <div class="preview-body">
          {port !== null && src !== null ? (
            <iframe
              class="preview-frame"
              src={src}
              title="Preview"
              sandbox={SANDBOX}
              allow="clipboard-read; clipboard-write"
              data-testid="preview-frame"
            />
          ) : (
            <div class="preview-empty">
              {error ? (
                <p class="error">{error}</p>
              ) : port !== null ? (
                <p class="muted">Loading…</p>
              ) : (
                <p class="muted">{emptySentence(state, workspace.canUse.value)}</p>
              )}
              {state.lastLines && <pre class="preview-lines">{state.lastLines}</pre>}
            </div>
          )}
        </div>
      </div>
      {collapsed && (
        <button
          class="preview-expand"
          title={`Show the preview (${state.text})`}
          aria-expanded="false"
          data-testid="preview-expand"
          onClick={() => fold(false)}
        >
          <ChevronIcon size={14} />
          <span>Preview</span>
        </button>
      )}
    </section>
  );
}

function emptySentence(state: PreviewState, canUse: boolean): string {
  if (state.tone === 'waiting')
    return 'The dev server is starting: its page shows here once it listens on a port.';
  if (state.lastLines !== null) {
    return state.lastLines ? 'The dev server ended. What it printed last:' : 'The dev server ended.';
  }
  return canUse
    ? 'Start the dev server, or a program that listens on a port, to see its page here.'
    : 'When a program in the workspace listens on a port, its page shows here.';
}
