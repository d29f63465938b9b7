/**
 * `npm start` on a machine whose Docker engine answers but lacks the sandbox
 * images: build the missing ones in the background, one family at a time
 * (scripts/build-images), with progress in the log. The runner checks its
 * images every second, so each language turns available as soon as its image
 * exists, with nothing restarted and no page reloaded. Where a build cannot
 * start, the log says what is missing and the command that fixes it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const BUILD_IMAGES = join(ROOT, 'scripts/build-images');
/** The families people need first come first. */
const ORDER = ['python', 'node', 'workspace', 'native', 'java'];
const NAMES: Record<string, string> = {
  python: 'Python',
  node: 'JavaScript and TypeScript',
  workspace: 'workspace (shell, dev servers)',
  native: 'Go, Rust, C and C++',
  java: 'Java',
};

/** Where a build of one family stands, from the lines build-images prints. */
const PHASES: [RegExp, number, string][] = [
  [/building .*debootstrap/, 5, 'starting'],
  [/I: Retrieving|I: Validating/, 15, 'downloading packages'],
  [/I: Extracting/, 35, 'unpacking'],
  [/I: (Installing|Unpacking|Configuring)/, 55, 'installing'],
  [/finishing the tree/, 80, 'finishing'],
  [/docker import/, 92, 'importing into Docker'],
];

/** How far a build is once it printed `line`, or null for a line that says nothing of it. */
export function phaseOf(line: string): { percent: number; what: string } | null {
  let found: { percent: number; what: string } | null = null;
  for (const [pattern, percent, what] of PHASES) if (pattern.test(line)) found = { percent, what };
  return found;
}

export interface ImagePlan {
  /** Families whose image is missing, in build order. */
  missing: string[];
  /** Why they cannot be built here, with the fix; null when they can. */
  blocker: string | null;
}

/** Which images are missing and whether this machine can build them. */
export function planImages(run = spawnSync): ImagePlan {
  // build-images imports through the docker command; without it there is nothing to check.
  if (run('sh', ['-c', 'command -v docker']).status !== 0) return { missing: [], blocker: null };
  const tags = run(BUILD_IMAGES, ['--print-tags'], { encoding: 'utf8' });
  if (tags.status !== 0) return { missing: [], blocker: null };
  const missing = String(tags.stdout)
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([family, image]) => family && image && run('docker', ['image', 'inspect', image]).status !== 0)
    .map(([family]) => family!)
    .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  if (missing.length === 0) return { missing, blocker: null };
  const lacks: string[] = [];
  if (run('sh', ['-c', 'command -v debootstrap']).status !== 0) lacks.push('debootstrap');
  if (process.getuid?.() !== 0) lacks.push('root (debootstrap mounts /proc in the tree it builds)');
  const blocker = lacks.length
    ? `cannot build the sandbox images here: missing ${lacks.join(' and ')}. ` +
      'Fix: sudo apt-get install -y debootstrap && sudo scripts/build-images'
    : null;
  return { missing, blocker };
}

/**
 * Builds the missing families one after another; `log` gets one line per
 * phase, `onChild` the build running now (for shutdown), then null.
 */
export function buildMissingImages(
  plan: ImagePlan,
  log: (line: string) => void,
  onChild: (child: ChildProcess | null) => void,
): void {
  const next = (index: number) => {
    const family = plan.missing[index];
    if (!family) return onChild(null);
    const name = NAMES[family] ?? family;
    log(`preparing the ${name} sandbox… 0%`);
    const child = spawn(BUILD_IMAGES, [family], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    onChild(child);
    let shown = 0;
    const read = (line: string) => {
      const phase = phaseOf(line);
      if (phase && phase.percent > shown) {
        shown = phase.percent;
        log(`preparing the ${name} sandbox… ${phase.percent}% (${phase.what})`);
      }
    };
    let lastError = '';
    createInterface({ input: child.stdout! }).on('line', read);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      lastError = line;
      read(line);
    });
    child.on('close', (code) => {
      if (code === 0) log(`the ${name} sandbox is ready: its languages run now`);
      else log(`the ${name} sandbox could not be built (exit ${code}): ${lastError || 'see its log'}`);
      next(index + 1);
    });
  };
  next(0);
}
