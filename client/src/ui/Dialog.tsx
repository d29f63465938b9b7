/** A modal card with a title and a close button; Escape and a click outside close it. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { CloseIcon } from './icons.js';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testId?: string;
}) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="card dialog" role="dialog" aria-label={props.title} data-testid={props.testId}>
        <div class="dialog-head">
          <h2>{props.title}</h2>
          <button class="icon-button" onClick={onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        {props.children}
      </div>
    </div>
  );
}
