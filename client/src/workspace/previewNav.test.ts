import { describe, expect, it, vi } from 'vitest';
import { enterUrl, previewState, PreviewNav, toPath } from './previewNav.js';
import type { DevServerView } from './workspaceSession.js';

const preview = (port: number, previewId = `p${port}`) => ({
  port,
  previewId,
  origin: `http://${previewId}.localhost:8081`,
});

/** A nav whose tickets are numbered, so every load can be told apart. */
function setup() {
  const asked: string[] = [];
  const nav = new PreviewNav(async (previewId) => {
    asked.push(previewId);
    return { url: `http://${previewId}.localhost:8081/__tandem/enter?ticket=t${asked.length}` };
  });
  return { nav, asked };
}

describe('PreviewNav', () => {
  it('shows the first port that opens, through a ticket, at /', async () => {
    const { nav, asked } = setup();
    nav.follow([]);
    expect(nav.port.value).toBeNull();
    nav.follow([preview(8000), preview(3000)]);
    expect(nav.port.value).toBe(3000);
    await vi.waitFor(() =>
      expect(nav.src.value).toBe('http://p3000.localhost:8081/__tandem/enter?ticket=t1&to=%2F'),
    );
    expect(asked).toEqual(['p3000']);
  });

  it('fetches a fresh ticket for every navigation, reload and step back', async () => {
    const { nav, asked } = setup();
    nav.follow([preview(3000)]);
    nav.navigate('about?x=1');
    expect(nav.path.value).toBe('/about?x=1');
    await vi.waitFor(() => expect(nav.src.value).toContain('ticket=t2&to=%2Fabout%3Fx%3D1'));
    nav.reload();
    await vi.waitFor(() => expect(nav.src.value).toContain('ticket=t3&to=%2Fabout%3Fx%3D1'));
    expect(nav.canGoBack.value).toBe(true);
    nav.back();
    expect(nav.path.value).toBe('/');
    expect(nav.canGoBack.value).toBe(false);
    await vi.waitFor(() => expect(nav.src.value).toContain('ticket=t4&to=%2F'));
    expect(asked).toHaveLength(4);
  });

  it('a shown port that closes shows the state; the same port back keeps the path', async () => {
    const { nav } = setup();
    nav.follow([preview(5173)]);
    nav.navigate('/app');
    await vi.waitFor(() => expect(nav.src.value).toContain('to=%2Fapp'));
    nav.follow([]);
    expect(nav.port.value).toBeNull();
    expect(nav.src.value).toBeNull();
    expect(nav.lost.value).toBe(5173);
    nav.follow([preview(5173, 'again')]);
    expect(nav.port.value).toBe(5173);
    expect(nav.path.value).toBe('/app');
    await vi.waitFor(() => expect(nav.src.value).toMatch(/^http:\/\/again\..*to=%2Fapp$/));
  });

  it('switches to a new port only when none is shown; the picker switches at the top', async () => {
    const { nav } = setup();
    nav.follow([preview(3000)]);
    nav.navigate('/deep');
    nav.follow([preview(3000), preview(4000)]);
    expect(nav.port.value).toBe(3000);
    nav.pick(4000);
    expect(nav.port.value).toBe(4000);
    expect(nav.path.value).toBe('/');
    expect(nav.canGoBack.value).toBe(false);
    await vi.waitFor(() => expect(nav.src.value).toContain('p4000'));
  });

  it('keeps only the latest load, and says why a ticket was refused', async () => {
    let answer: (url: string) => void = () => undefined;
    const nav = new PreviewNav((previewId) =>
      previewId === 'bad'
        ? Promise.reject(new Error('You cannot see this preview.'))
        : new Promise((resolve) => (answer = (url) => resolve({ url }))),
    );
    nav.follow([preview(3000)]);
    const slow = answer;
    nav.navigate('/b');
    answer('http://x/__tandem/enter?ticket=new');
    slow('http://x/__tandem/enter?ticket=old');
    await vi.waitFor(() => expect(nav.src.value).toBe('http://x/__tandem/enter?ticket=new&to=%2Fb'));
    nav.follow([preview(3000, 'bad')]);
    await vi.waitFor(() => expect(nav.error.value).toBe('You cannot see this preview.'));
    expect(nav.src.value).toBeNull();
  });
});

describe('previewState', () => {
  const dev = (change: Partial<DevServerView>): DevServerView => ({
    shellId: 'd1',
    command: 'npm run dev',
    startedBy: 'Ann',
    state: 'running',
    code: null,
    lastLines: '',
    ...change,
  });

  it('says what the pane shows', () => {
    expect(previewState(3000, [3000], dev({}), null).text).toBe('Listening on :3000');
    expect(previewState(null, [], dev({}), null).text).toBe('Starting…');
    expect(previewState(null, [], dev({ state: 'exited', code: 1, lastLines: 'boom' }), 3000)).toEqual({
      text: 'Crashed (exit 1)',
      tone: 'failed',
      lastLines: 'boom',
    });
    expect(previewState(null, [4000], null, 3000).text).toBe('Port :3000 closed: pick another port');
    expect(previewState(null, [], null, null).text).toBe('No port open');
  });
});

describe('addresses', () => {
  it('turns what was typed into a path and lands the enter URL on it', () => {
    expect(toPath('')).toBe('/');
    expect(toPath(' about ')).toBe('/about');
    expect(toPath('http://k3j4h5.localhost:8081/a/b?c=1#d')).toBe('/a/b?c=1#d');
    expect(enterUrl('http://o/__tandem/enter?ticket=t', '/a b')).toBe(
      'http://o/__tandem/enter?ticket=t&to=%2Fa%20b',
    );
  });
});
