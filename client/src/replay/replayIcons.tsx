/** The player's own icons, drawn like the rest (ui/icons.tsx). */
import { AuthorsIcon, icon } from '../ui/icons.js';

const ICONS = {
  pause: icon(<path d="M7 5v14M17 5v14" />),
  stepBack: icon(<path d="M6 5v14M19 5 9 12l10 7z" />),
  stepForward: icon(<path d="M18 5v14M5 5l10 7-10 7z" />),
  authors: AuthorsIcon,
} as const;

export function ReplayIcon(props: { name: keyof typeof ICONS; size?: number }) {
  const Icon = ICONS[props.name];
  return <Icon size={props.size} />;
}
