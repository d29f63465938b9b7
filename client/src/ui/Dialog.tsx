/**
 * The app's one modal: a card with a title and a close button; Escape and a
 * click outside close it. `confirmDialog` asks a yes/no question in it wherever
 * the browser's confirm() would: a native prompt freezes the whole page (the
 * editor stops syncing while it waits), looks like no part of the app, and a
 * browser may offer to silence it for the site.
 */
import { render, type ComponentChildren } from 'preact';
import { createPortal } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { CloseIcon } from './icons.js';

/** Open dialogs, oldest first: Escape closes only the newest (a question asked over Share, say). */
const openDialogs: { close: () => void }[] = [];

function onEscape(e: KeyboardEvent): void {
  if (e.key === 'Escape') openDialogs.at(-1)?.close();
}

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testId?: string;
}) {
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const entry = { close: () => onClose.current() };
    if (openDialogs.push(entry) === 1) addEventListener('keydown', onEscape);
    return () => {
      openDialogs.splice(openDialogs.indexOf(entry), 1);
      if (openDialogs.length === 0) removeEventListener('keydown', onEscape);
    };
  }, []);
  // On the body: a dialog opened from a folded list (the top bar's More) or an
  // inert region (under a drawer) would otherwise be hidden or dead with it.
  return createPortal(
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        class="card dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
      >
        <div class="dialog-head">
          <h2>{props.title}</h2>
          <button class="icon-button" onClick={props.onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        {props.children}
      </div>
    </div>,
    document.body,
  );
}

export interface Question {
  /** The question itself: "End this room?" */
  title: string;
  /** What saying yes does, in a sentence or two. */
  body: ComponentChildren;
  /** The yes button's words: what it does ("End room"), never "OK". */
  confirm: string;
  /** Red yes button, for what cannot be undone. */
  danger?: boolean;
}

/** Cancel and the yes button, at the foot of a dialog that asks. */
export function DialogButtons(props: { children: ComponentChildren }) {
  return <div class="dialog-buttons">{props.children}</div>;
}

/**
 * Asks `question` in the app's dialog, over whatever is open; true once the yes
 * button is pressed, false on Cancel, Escape or a click outside. The focus
 * goes back where it was.
 */
export function confirmDialog(question: Question): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const host = document.createElement('div');
  return new Promise((resolve) => {
    const answer = (yes: boolean) => {
      render(null, host);
      opener?.focus();
      resolve(yes);
    };
    render(<Ask question={question} onAnswer={answer} />, host);
  });
}

function Ask(props: { question: Question; onAnswer: (yes: boolean) => void }) {
  const { question, onAnswer } = props;
  const yes = useRef<HTMLButtonElement>(null);
  // Enter says yes, as it does to confirm().
  useEffect(() => yes.current?.focus(), []);
  return (
    <Dialog title={question.title} onClose={() => onAnswer(false)} testId="confirm-dialog">
      <p>{question.body}</p>
      <DialogButtons>
        <button class="button" onClick={() => onAnswer(false)}>
          Cancel
        </button>
        <button
          ref={yes}
          class={`button ${question.danger ? 'danger' : 'primary'}`}
          data-testid="confirm-yes"
          onClick={() => onAnswer(true)}
        >
          {question.confirm}
        </button>
      </DialogButtons>
    </Dialog>
  );
}
