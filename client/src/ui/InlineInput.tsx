/**
 * A text field that edits a name in place: focused at once, Enter or leaving it
 * commits (a changed, non-empty value), Escape cancels. Used for files and
 * folders in the tree and for the room's name.
 */
import { useEffect, useRef } from 'preact/hooks';

export function InlineInput(props: {
  initial: string;
  onCommit: (value: string) => void;
  onCancel: () => void;
  /** Select up to the last dot (a file's name without its extension). */
  selectStem?: boolean;
  class: string;
  style?: Record<string, string>;
  maxLength?: number;
  label: string;
  testId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    const el = input.current!;
    el.focus();
    const dot = props.selectStem ? props.initial.lastIndexOf('.') : -1;
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
    <input
      ref={input}
      class={props.class}
      style={props.style}
      defaultValue={props.initial}
      maxLength={props.maxLength}
      aria-label={props.label}
      data-testid={props.testId}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== 'Escape') return;
        // Committing can move the focus (a new file opens in the editor): the key must not follow it there.
        e.preventDefault();
        finish(e.key === 'Enter');
      }}
      onBlur={() => finish(true)}
    />
  );
}
