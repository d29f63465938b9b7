/**
 * The run output as a terminal (xterm.js), so programs' ANSI colours show.
 * Created on first output, it replays the transcript and then follows it. For a
 * batch run it is read-only (stdin has its own input under it); during a shared
 * terminal run an editor's keystrokes go straight to the program (`onKeys`).
 */
import { effect } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import { theme } from '../lib/theme.js';
import type * as XtermKit from './xtermKit.js';
import type { ITheme } from './xtermKit.js';
import type { Transcript } from './transcript.js';

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const FONT = "'JetBrains Mono', 'Fira Code', ui-monospace, Menlo, Consolas, monospace";

const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#1c2026',
  selectionBackground: '#c9d0ff',
  black: '#1c2026',
  red: '#c4281c',
  green: '#13803b',
  yellow: '#9a5b00',
  blue: '#3050d0',
  magenta: '#9d3ac0',
  cyan: '#0b7285',
  white: '#6b7280',
  // Bold text takes the bright colours; on white they must stay dark enough to read.
  brightBlack: '#6b7280',
  brightRed: '#c4281c',
  brightGreen: '#13803b',
  brightYellow: '#9a5b00',
  brightBlue: '#3050d0',
  brightMagenta: '#9d3ac0',
  brightCyan: '#0b7285',
  brightWhite: '#1c2026',
};
const DARK: ITheme = {
  background: '#16181d',
  foreground: '#e6e8ec',
  selectionBackground: '#3a4270',
  red: '#ff6b6b',
  green: '#4ade80',
  yellow: '#facc15',
  blue: '#7c8aff',
  magenta: '#d68cff',
  cyan: '#5fd4e6',
};

export function RunTerminal(props: {
  transcript: Transcript;
  onKeys?: ((data: string) => void) | null;
  /** A terminal run's pseudo-terminal size: shown at exactly that size (scrolling if the panel is smaller). */
  fixedSize?: { cols: number; rows: number } | null;
  /** Told the terminal's size after every fit (a shell's pseudo-terminal follows its typist's window). */
  onResize?: (cols: number, rows: number) => void;
  /** The label of the terminal for assistive technology and tests. */
  testId?: string;
}) {
  const resized = useRef(props.onResize ?? null);
  resized.current = props.onResize ?? null;
  const host = useRef<HTMLDivElement>(null);
  const fixed = useRef(props.fixedSize ?? null);
  fixed.current = props.fixedSize ?? null;
  const refitNow = useRef<() => void>(() => {});
  const [failed, setFailed] = useState(false);
  const keys = useRef(props.onKeys ?? null);
  const term = useRef<XtermKit.Terminal | null>(null);
  keys.current = props.onKeys ?? null;
  const interactive = keys.current !== null;

  useEffect(() => {
    const terminal = term.current;
    if (!terminal) return;
    terminal.options.disableStdin = !interactive;
    terminal.write(interactive ? SHOW_CURSOR : HIDE_CURSOR);
    if (interactive) terminal.focus();
  }, [interactive]);

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];
    const mount = ({ Terminal, FitAddon }: typeof XtermKit) => {
      const element = host.current;
      if (disposed || !element) return;
      const terminal = new Terminal({
        convertEol: true,
        disableStdin: true,
        fontFamily: FONT,
        fontSize: 13,
        lineHeight: 1.2,
        scrollback: 5000,
        cursorInactiveStyle: 'none',
      });
      const fit = new FitAddon();
      terminal.loadAddon(fit);
      terminal.open(element);
      term.current = terminal;
      terminal.options.disableStdin = keys.current === null;
      terminal.write(keys.current === null ? HIDE_CURSOR : SHOW_CURSOR);
      if (keys.current) terminal.focus();
      const typing = terminal.onData((data) => keys.current?.(data));
      let frame = 0;
      const refit = () => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => {
          const size = fixed.current;
          if (size) terminal.resize(size.cols, size.rows);
          // A hidden panel has no size: fitting it would shrink the terminal to nothing.
          else if (element.offsetParent) fit.fit();
          resized.current?.(terminal.cols, terminal.rows);
        });
      };
      refitNow.current = refit;
      // A fixed-size terminal taller than the panel scrolls: keep the cursor (the prompt) in view.
      const follow = () => {
        if (!fixed.current || element.scrollHeight <= element.clientHeight) return;
        const rowHeight = element.scrollHeight / terminal.rows;
        const cursorTop = terminal.buffer.active.cursorY * rowHeight;
        if (cursorTop + rowHeight > element.scrollTop + element.clientHeight) {
          element.scrollTop = cursorTop + rowHeight - element.clientHeight;
        } else if (cursorTop < element.scrollTop) element.scrollTop = cursorTop;
      };
      refit();
      const observer = new ResizeObserver(refit);
      observer.observe(element);
      cleanups.push(
        effect(() => {
          terminal.options.theme = theme.value === 'dark' ? DARK : LIGHT;
        }),
        props.transcript.subscribe((piece) => {
          if (piece !== null) terminal.write(piece, follow);
          else {
            terminal.reset();
            terminal.write(HIDE_CURSOR);
          }
        }),
        () => {
          cancelAnimationFrame(frame);
          observer.disconnect();
          typing.dispose();
          term.current = null;
          terminal.dispose();
        },
      );
    };
    void import('./xtermKit.js').then(mount, () => !disposed && setFailed(true));
    return () => {
      disposed = true;
      for (const cleanup of cleanups) cleanup();
    };
  }, [props.transcript]);

  const { cols, rows } = props.fixedSize ?? { cols: 0, rows: 0 };
  useEffect(() => refitNow.current(), [cols, rows]);

  if (failed) {
    return <div class="run-empty error">The output view could not be loaded. Reload the page to see it.</div>;
  }
  return (
    <div
      class={`run-terminal${props.fixedSize ? ' fixed' : ''}`}
      ref={host}
      data-testid={props.testId ?? 'run-output'}
      data-cols={props.fixedSize?.cols}
    />
  );
}
