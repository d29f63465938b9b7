/** Copies the room's current files into a new room this person owns, and goes there. */
import { useState } from 'preact/hooks';
import { forkRoom } from '../lib/api.js';
import { navigate } from '../lib/route.js';
import { OWNER_LINK, remember } from '../room/session.js';
import { attempt } from './attempt.js';

export function ForkButton(props: { roomId: string; token: string; label?: string; primary?: boolean }) {
  const [forking, setForking] = useState(false);
  const fork = async () => {
    setForking(true);
    const copy = await attempt(forkRoom(props.roomId, props.token), 'The room could not be forked.');
    if (!copy) return setForking(false);
    remember(copy.roomId, OWNER_LINK, copy.token, copy.links);
    navigate(`/r/${copy.roomId}`);
  };
  return (
    <button
      class={`button small${props.primary ? ' primary' : ''}`}
      title="Copy the current files into a new room of your own"
      disabled={forking}
      onClick={() => void fork()}
      data-testid="fork"
    >
      {forking ? 'Forking…' : (props.label ?? 'Fork')}
    </button>
  );
}
