/**
 * Terminal output as plain text: colours, cursor moves and charset switches
 * taken out (a dev server's last lines, a test reading what a terminal
 * printed). Carriage returns stay.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]/g;

export function plainTerminalText(text: string): string {
  return text.replace(CONTROL, '');
}
