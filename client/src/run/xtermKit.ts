/**
 * xterm.js and its fit addon behind one dynamic import (see RunTerminal): a room
 * loads them, and their stylesheet, only once the run panel has output to show.
 */
import '@xterm/xterm/css/xterm.css';

export { Terminal, type ITheme } from '@xterm/xterm';
export { FitAddon } from '@xterm/addon-fit';
