/**
 * Below this width the side panels stop docking beside the editor and open as
 * drawers over it, one at a time, so the editor keeps the width. The room page
 * puts a `narrow` class on its root from this signal; room.css keys its drawer
 * rules on that class, so the figure lives here only.
 */
import { signal } from '@preact/signals';

export const NARROW_MAX_PX = 959;

const query = matchMedia(`(max-width: ${NARROW_MAX_PX}px)`);

export const narrow = signal(query.matches);

query.addEventListener('change', (event) => (narrow.value = event.matches));
