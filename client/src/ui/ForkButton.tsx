/**
 * Copies the room's current files into a new room this person owns. It asks
 * first, and the copy opens in a new tab: one click must not take anyone out of
 * a live session.
 */
import { useState } from 'preact/hooks';
import { forkRoom } from '../lib/api.js';
import { OWNER_LINK, remember } from '../room/session.js';
import { attempt } from './attempt.js';
import { Dialog, DialogButtons } from './Dialog.js';

export function ForkButton(props: { roomId: string; token: string; label?: string; primary?: boolean }) {
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button
        class={`button small${props.primary ? ' primary' : ''}`}
        title="Copy the current files into a new room of your own, in a new tab"
        onClick={() => setAsking(true)}
        data-testid="fork"
      >
        {props.label ?? 'Fork'}
      </button>
      {asking && <ForkDialog roomId={props.roomId} token={props.token} onClose={() => setAsking(false)} />}
    </>
  );
}

type Step = { kind: 'asking' } | { kind: 'forking' } | { kind: 'made'; path: string };

function ForkDialog(props: { roomId: string; token: string; onClose: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'asking' });
  const fork = async () => {
    // The tab opens now, within the click: opened once the copy exists, it would
    // no longer count as the person's doing, and popup blockers would stop it.
    const tab = window.open('', '_blank');
    setStep({ kind: 'forking' });
    const copy = await attempt(forkRoom(props.roomId, props.token), 'The room could not be forked.');
    if (!copy) {
      tab?.close();
      return setStep({ kind: 'asking' });
    }
    // The new tab finds the owner's token here when it opens the room.
    remember(copy.roomId, OWNER_LINK, copy.token, copy.links);
    const path = `/r/${copy.roomId}`;
    if (!tab || tab.closed) return setStep({ kind: 'made', path });
    tab.opener = null;
    tab.location.href = path;
    props.onClose();
  };
  return (
    <Dialog title="Fork this room?" onClose={props.onClose} testId="fork-dialog">
      {step.kind === 'made' ? (
        <p>
          The copy is ready. Your browser kept the new tab from opening:{' '}
          <a href={step.path} target="_blank" rel="noopener" data-testid="fork-link" onClick={props.onClose}>
            open the copy
          </a>
          .
        </p>
      ) : (
        <p>
          The files as they are now go into a new room of your own, which opens in a new tab. This tab stays
          in the live session.
        </p>
      )}
      <DialogButtons>
        <button class="button" onClick={props.onClose}>
          {step.kind === 'made' ? 'Close' : 'Cancel'}
        </button>
        {step.kind !== 'made' && (
          <button
            class="button primary"
            disabled={step.kind === 'forking'}
            onClick={() => void fork()}
            data-testid="fork-confirm"
          >
            {step.kind === 'forking' ? 'Forking…' : 'Fork'}
          </button>
        )}
      </DialogButtons>
    </Dialog>
  );
}
