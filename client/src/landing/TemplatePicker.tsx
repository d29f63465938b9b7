import { TEMPLATES } from '../../../shared/schema/templates.js';

/** Two-letter badges, so the grid reads at a glance without image assets. */
const BADGES: Record<string, string> = {
  empty: '∅',
  python: 'Py',
  javascript: 'JS',
  typescript: 'TS',
  go: 'Go',
  rust: 'Rs',
  c: 'C',
  cpp: 'C++',
  java: 'Jv',
};

export function TemplatePicker(props: { value: string; onChange: (id: string) => void }) {
  return (
    <div class="templates" role="radiogroup" aria-label="Template">
      {TEMPLATES.map((t) => (
        <button
          type="button"
          key={t.id}
          role="radio"
          aria-checked={props.value === t.id}
          class={`template${props.value === t.id ? ' selected' : ''}`}
          data-template={t.id}
          onClick={() => props.onChange(t.id)}
        >
          <span class={`badge badge-${t.id}`}>{BADGES[t.id] ?? t.id.slice(0, 2)}</span>
          <span>{t.name}</span>
        </button>
      ))}
    </div>
  );
}
