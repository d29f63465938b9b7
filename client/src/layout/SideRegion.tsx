/**
 * One side of the room. On a wide window it docks beside the editor as a
 * complementary region, showing the panels not folded away. On a narrow one it
 * is a drawer over the editor while one of its panels is open: a dialog that
 * takes focus when it opens, closes with its button or Escape, and hands focus
 * back to the panel's toggle. Panels stay mounted while hidden, so a call keeps
 * playing and the chat keeps its place.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CloseIcon } from '../ui/icons.js';
import { PANEL_LABELS, panelDomId, toggleDomId, type PanelId, type PanelLayout } from './panels.js';

export function SideRegion(props: {
  layout: PanelLayout;
  class: string;
  label: string;
  ids: readonly PanelId[];
  children: ComponentChildren;
}) {
  const { layout, ids } = props;
  const drawer = layout.drawerIn(ids);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (drawer === null) return;
    const region = box.current!;
    region.focus({ preventScroll: true });
    // Monaco (the notes) handles its own Escape, e.g. to close a suggestion, and marks it handled.
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !e.defaultPrevented && layout.closeDrawer();
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      // Focus left in a closed drawer would fall to the page's body.
      const focused = document.activeElement;
      if (!focused || focused === document.body || region.contains(focused))
        document.getElementById(toggleDomId(drawer))?.focus();
    };
  }, [drawer]);

  return (
    <div
      ref={box}
      class={`${props.class}${drawer ? ' drawer' : ''}`}
      role={drawer ? 'dialog' : 'complementary'}
      aria-label={drawer ? PANEL_LABELS[drawer] : props.label}
      tabIndex={drawer ? -1 : undefined}
      hidden={!layout.anyOpen(ids)}
    >
      {drawer && (
        <button
          class="icon-button drawer-close"
          aria-label={`Close ${PANEL_LABELS[drawer].toLowerCase()}`}
          title="Close (Esc)"
          data-testid="drawer-close"
          onClick={() => layout.closeDrawer()}
        >
          <CloseIcon />
        </button>
      )}
      {props.children}
    </div>
  );
}

/** One panel in a side: hidden while folded away (wide) or while another drawer is open (narrow). */
export function PanelSlot(props: { layout: PanelLayout; id: PanelId; children: ComponentChildren }) {
  return (
    <div class="panel-slot" id={panelDomId(props.id)} hidden={!props.layout.isOpen(props.id)}>
      {props.children}
    </div>
  );
}
