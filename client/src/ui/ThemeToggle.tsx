import { theme, toggleTheme } from '../lib/theme.js';
import { MoonIcon, SunIcon } from './icons.js';

export function ThemeToggle() {
  const dark = theme.value === 'dark';
  return (
    <button
      class="icon-button"
      onClick={toggleTheme}
      title={dark ? 'Switch to light theme' : 'Switch to dark theme'}
      aria-label="Toggle theme"
    >
      {dark ? <SunIcon /> : <MoonIcon />}
    </button>
  );
}
