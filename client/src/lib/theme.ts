/**
 * Light or dark. index.html sets the first value before paint (no flash); this
 * keeps it in a signal, so Monaco and the page switch together.
 */
import { effect, signal } from '@preact/signals';
import { saveString } from './storage.js';

export type Theme = 'light' | 'dark';

export const theme = signal<Theme>(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

effect(() => {
  document.documentElement.dataset.theme = theme.value;
});

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  saveString('tandem.theme', theme.value);
}
