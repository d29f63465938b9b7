/** The page shown before a room or a replay opens: the top bar, then one card (asking, loading, an error). */
import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/route.js';
import { BrandLink } from './BrandLink.js';
import { ThemeToggle } from './ThemeToggle.js';

export function Gate(props: { children: ComponentChildren }) {
  return (
    <div class="gate">
      <div class="gate-top">
        <BrandLink />
        <ThemeToggle />
      </div>
      {props.children}
    </div>
  );
}

/** Why the page cannot open, with a way back (and any other ways out in `children`). */
export function GateError(props: {
  title: string;
  message: string;
  testId: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="card gate-card" role="alert" data-testid={props.testId}>
      <h2>{props.title}</h2>
      <p>{props.message}</p>
      <div class="gate-buttons">
        {props.children}
        <button class="button" onClick={() => navigate('/')}>
          Back to the start page
        </button>
      </div>
    </div>
  );
}
