/**
 * What the preview pane shows: which port, which path, and the frame's address.
 * The frame is another origin, so its own history is out of reach: Back walks
 * the paths typed into the address bar here. Every load enters the preview
 * through a fresh ticket (one use, one minute), so the frame's `src` is only set
 * once the relay has answered, and only by the latest load.
 */
import { computed, signal } from '@preact/signals';
import type { DevServerView, PreviewView } from './workspaceSession.js';

export type FetchTicket = (previewId: string) => Promise<{ url: string }>;

/** The ticket's enter URL, landing on `path`. */
export function enterUrl(url: string, path: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}to=${encodeURIComponent(path)}`;
}

/** What was typed into the address bar as a path: "about" is "/about", a pasted URL keeps its path. */
export function toPath(input: string): string {
  const text = input.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      return `${url.pathname}${url.search}${url.hash}`;
    } catch {
      // Not a URL after all: a path.
    }
  }
  return text.startsWith('/') ? text : `/${text}`;
}

export interface PreviewState {
  text: string;
  tone: 'ok' | 'waiting' | 'failed' | 'idle';
  /** The dev server's last lines, when it ended. */
  lastLines: string | null;
}

/** The pane's state line: the port shown, or why there is none. */
export function previewState(
  shown: number | null,
  ports: readonly number[],
  devServer: DevServerView | null,
  lost: number | null,
): PreviewState {
  if (shown !== null) return { text: `Listening on :${shown}`, tone: 'ok', lastLines: null };
  if (devServer?.state === 'exited') {
    const { code, lastLines } = devServer;
    const text = code === null ? 'Stopped' : code === 0 ? 'Exited (exit 0)' : `Crashed (exit ${code})`;
    return { text, tone: code === null || code === 0 ? 'idle' : 'failed', lastLines };
  }
  if (devServer?.state === 'running' && ports.length === 0) {
    return { text: 'Starting…', tone: 'waiting', lastLines: null };
  }
  if (lost !== null) {
    const more = ports.length > 0 ? ': pick another port' : '';
    return { text: `Port :${lost} closed${more}`, tone: 'idle', lastLines: null };
  }
  const text = ports.length > 0 ? 'Pick a port' : 'No port open';
  return { text, tone: 'idle', lastLines: null };
}

export class PreviewNav {
  /** The port in the frame; null shows the state instead. */
  readonly port = signal<number | null>(null);
  /** The path last navigated to from here (links clicked in the frame are not seen). */
  readonly path = signal('/');
  /** The frame's address; null until a ticket arrives. */
  readonly src = signal<string | null>(null);
  readonly error = signal<string | null>(null);
  /** The port that was shown and went away. */
  readonly lost = signal<number | null>(null);
  readonly ports = signal<number[]>([]);
  private readonly history = signal<string[]>([]);
  readonly canGoBack = computed(() => this.history.value.length > 0);
  private previews: PreviewView[] = [];
  private load = 0;

  constructor(private readonly ticket: FetchTicket) {}

  /** The workspace's ports changed: a new one is shown if none is; a shown one that closed is not. */
  follow(previews: readonly PreviewView[]): void {
    const known = new Set(this.previews.map((p) => p.port));
    const before = this.preview();
    this.previews = [...previews].sort((a, b) => a.port - b.port);
    this.ports.value = this.previews.map((p) => p.port);
    const shown = this.port.peek();
    if (shown !== null && !this.preview()) {
      this.port.value = null;
      this.lost.value = shown;
      this.src.value = null;
      this.load++;
    }
    if (this.port.peek() === null) {
      const fresh = this.previews.find((p) => !known.has(p.port));
      // The same port back (a restart) keeps the path; another starts at the top.
      if (fresh) this.show(fresh.port, fresh.port === this.lost.peek());
    } else if (before && before.previewId !== this.preview()?.previewId) {
      this.reload();
    }
  }

  /** The port picker. */
  pick(port: number): void {
    if (port === this.port.peek() || !this.previews.some((p) => p.port === port)) return;
    this.show(port, false);
  }

  navigate(input: string): void {
    const path = toPath(input);
    this.history.value = [...this.history.peek(), this.path.peek()];
    this.path.value = path;
    this.reload();
  }

  back(): void {
    const history = this.history.peek();
    const previous = history.at(-1);
    if (previous === undefined) return;
    this.history.value = history.slice(0, -1);
    this.path.value = previous;
    this.reload();
  }

  /** Loads the path again through a fresh ticket. */
  reload(): void {
    const preview = this.preview();
    if (!preview) return;
    const load = ++this.load;
    this.error.value = null;
    this.enter(preview).then(
      (url) => {
        if (load === this.load) this.src.value = url;
      },
      (error: unknown) => {
        if (load !== this.load) return;
        this.src.value = null;
        this.error.value = error instanceof Error ? error.message : String(error);
      },
    );
  }

  /** A fresh enter URL for the shown path, e.g. for a new tab; null when no port is shown. */
  async freshUrl(): Promise<string | null> {
    const preview = this.preview();
    return preview ? this.enter(preview) : null;
  }

  private show(port: number, keepPath: boolean): void {
    this.port.value = port;
    this.lost.value = null;
    if (!keepPath) {
      this.path.value = '/';
      this.history.value = [];
    }
    this.reload();
  }

  private async enter(preview: PreviewView): Promise<string> {
    const path = this.path.peek();
    return enterUrl((await this.ticket(preview.previewId)).url, path);
  }

  private preview(): PreviewView | undefined {
    const port = this.port.peek();
    return this.previews.find((p) => p.port === port);
  }
}
