/** The inline text field for a new or renamed file or folder. Enter commits, Escape cancels. */
import { useEffect, useRef } from 'preact/hooks';

export function NameInput(props: {
  initial: string;
  depth: number;
  onCommit: (name: string) => void;
  onCancel: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    const el = input.current!;
    el.focus();
    // Select the name without its extension, as file managers do.
    const dot = props.initial.lastIndexOf('.');
    el.setSelectionRange(0, dot > 0 ? dot : props.initial.length);
  }, []);
  const finish = (commit: boolean) => {
    if (done.current) return;
    done.current = true;
    const value = input.current!.value.trim();
    if (commit && value && value !== props.initial) props.onCommit(value);
    else props.onCancel();
  };
  return (
    <li class="tree-input-row">
      <input
        ref={input}
        class="tree-input"
        style={{ marginLeft: `${8 + props.depth * 14}px` }}
        defaultValue={props.initial}
        aria-label="Name"
        onKeyDown={(e) => {
          if (e.key === 'Enter') finish(true);
          if (e.key === 'Escape') finish(false);
        }}
        onBlur={() => finish(true)}
      />
    </li>
  );
}
