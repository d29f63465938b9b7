/**
 * The run panel under the editor: its bar is always there; the output below it
 * opens when a run starts, collapses with the chevron and is resized by dragging
 * its top edge (or with the arrow keys on it).
 */
import { useEffect, useState } from 'preact/hooks';
import { loadJson, saveJson } from '../lib/storage.js';
import type { RoomState } from '../room/roomState.js';
import { RunHistory } from './RunHistory.js';
import { RunTerminal } from './RunTerminal.js';
import { RunToolbar } from './RunToolbar.js';
import { StdinBar } from './StdinBar.js';
import { TERMINAL_SIZE } from '../../../shared/protocol/runs.js';
import { WorkspaceTabs } from '../workspace/WorkspaceTabs.js';

const HEIGHT_KEY = 'tandem.runPanelHeight';
const HEIGHT_DEFAULT_PX = 260;
const HEIGHT_MIN_PX = 120;
/** The editor keeps at least this share of the centre column. */
const HEIGHT_MAX_SHARE = 0.8;
const KEY_STEP_PX = 24;

function clampHeight(height: number): number {
  const max = Math.max(
    HEIGHT_MIN_PX,
    (document.querySelector('.center')?.clientHeight ?? 800) * HEIGHT_MAX_SHARE,
  );
  return Math.round(Math.min(max, Math.max(HEIGHT_MIN_PX, height)));
}

export function RunPanel(props: { room: RoomState }) {
  const runs = props.room.runs;
  const [height, setHeight] = useState(() => loadJson<number>(HEIGHT_KEY) ?? HEIGHT_DEFAULT_PX);
  const open = runs.panelOpen.value;
  const resize = (next: number) => {
    const clamped = clampHeight(next);
    setHeight(clamped);
    saveJson(HEIGHT_KEY, clamped);
  };

  useEffect(() => {
    // Ctrl/Cmd+Enter anywhere in the room; inside Monaco the editor's own command handles it.
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.key !== 'Enter' || e.defaultPrevented) return;
      e.preventDefault();
      props.room.runShortcut();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props.room]);

  const startDrag = (e: PointerEvent) => {
    const handle = e.currentTarget as HTMLElement;
    const startY = e.clientY;
    const startHeight = height;
    handle.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => resize(startHeight + startY - m.clientY);
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };

  const focus = runs.focus.value;
  const terminalRun = focus?.terminal === true && focus.started;
  const showStdin = runs.canRun.value && focus?.started === true && !terminalRun;
  const onKeys = runs.canRun.value && terminalRun ? (data: string) => runs.typeKeys(data) : null;
  const workspace = props.room.workspace;
  const shellId = workspace.active.value;
  const shown = shellId !== null && workspace.terminals.value.some((s) => s.shellId === shellId);
  const typeInShell =
    workspace.canUse.value && shown ? (data: string) => workspace.type(shellId, data) : null;
  // A shell that appears (opened here or by someone else) opens the panel, like a run does.
  useEffect(() => {
    if (shown) runs.panelOpen.value = true;
  }, [shellId, shown]);
  return (
    <section
      class={`run-panel${open ? ' open' : ''}`}
      aria-label="Run"
      data-testid="run-panel"
      style={open ? { height: `${height}px` } : undefined}
    >
      {open && (
        <div
          class="run-resize"
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize the output"
          tabIndex={0}
          onPointerDown={startDrag}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp') resize(height + KEY_STEP_PX);
            if (e.key === 'ArrowDown') resize(height - KEY_STEP_PX);
          }}
        />
      )}
      <RunToolbar room={props.room} />
      <div class="run-body" hidden={!open}>
        <WorkspaceTabs workspace={workspace} onShowOutput={() => undefined} />
        <div class="run-output">
          {shown ? (
            <RunTerminal
              key={shellId}
              transcript={workspace.transcript(shellId)}
              onKeys={typeInShell}
              onResize={(cols, rows) => workspace.resize(shellId, cols, rows)}
              testId="shell-output"
            />
          ) : runs.transcript.empty.value ? (
            <div class="run-empty muted">
              {emptySentence(runs.canRun.value, props.room.metaDev.value !== null)}
            </div>
          ) : (
            <RunTerminal
              transcript={runs.transcript}
              onKeys={onKeys}
              fixedSize={terminalRun ? TERMINAL_SIZE : null}
            />
          )}
          {runs.historyOpen.value && <RunHistory runs={runs} />}
        </div>
        {showStdin && !shown && <StdinBar runs={runs} />}
      </div>
    </section>
  );
}

function emptySentence(canRun: boolean, web: boolean): string {
  if (web) {
    return canRun
      ? 'Start the dev server to see its output here and its page in the preview. Everyone in the room sees both.'
      : 'When someone starts the dev server, its output shows here.';
  }
  return canRun
    ? 'Run the project to see its output here. Everyone in the room sees it live.'
    : 'When someone runs the project, its output shows here.';
}
