/** Who wrote the lines shown, with their colours: the replay's and the live room's authorship legend. */
import type { LegendEntry } from './authorshipPaint.js';

export function AuthorsLegend(props: { entries: readonly LegendEntry[]; class?: string }) {
  return (
    <ul class={`replay-legend ${props.class ?? ''}`} data-testid="authors-legend">
      {props.entries.map((entry) => (
        <li
          key={entry.userId}
          data-name={entry.name}
          title={`${entry.lines} line${entry.lines === 1 ? '' : 's'}`}
        >
          <span class="replay-dot" style={{ background: entry.color }} />
          {entry.name}
        </li>
      ))}
    </ul>
  );
}
