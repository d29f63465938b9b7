/**
 * A runner whose Docker engine lacks some sandbox images builds them itself,
 * in the background, one family at a time (scripts/build-images), the ones
 * people need first first. Where each build stands goes to the relay with the
 * runner's status, so the run panel says "Preparing the Python sandbox… 55%"
 * instead of "unavailable"; the availability watch (availability.ts) picks
 * each image up the second it exists, with nothing restarted.
 *
 * Where a build cannot start (no `docker` command, no `debootstrap`, not
 * root), the log says what is missing and the command that fixes it.
 * TANDEM_BUILD_IMAGES=0 turns all of this off (images built by hand or by CI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { LANGUAGES, type LanguageId } from '../shared/languages.js';
import { builtImage, languageSpec, resolveImage, type ImageFamily } from './languages.js';

/** scripts/build-images: beside runner/, or two folders up from the bundle. */
const BUILD_SCRIPT = [
  new URL('../scripts/build-images', import.meta.url),
  new URL('../../scripts/build-images', import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path));

/** The families people need first come first. */
const ORDER: readonly ImageFamily[] = ['python', 'node', 'workspace', 'native', 'java'];

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

/** A build under way (or waiting its turn: 0%), as the relay hears of it. */
export interface ImageBuild {
  family: ImageFamily;
  /** The languages it serves (none for the workspace image). */
  languages: LanguageId[];
  percent: number;
  what: string;
  /** Why it cannot be built here, with the fix; empty while it can. */
  problem: string;
}

export interface ImageBuilderOptions {
  docker: Docker;
  /** The image of live workspaces, as configured (built only when it is the recipe's tag). */
  workspaceImage: string;
  log: { info(event: string, fields?: object): void; warn(event: string, fields?: object): void };
  /** Every change of the builds under way (the list empties when all are done). */
  onChange: (builds: ImageBuild[]) => void;
  /** What a build runs: build-images with the family as its argument (a test's script instead). */
  command?: string;
  /** Why this machine cannot build, or null; by default checked on this machine. */
  blocker?: () => string | null;
}

/** The families this runner would use whose image the engine lacks, in build order. */
export async function missingFamilies(docker: Docker, workspaceImage: string): Promise<ImageFamily[]> {
  const wanted = new Set<ImageFamily>();
  for (const { id } of LANGUAGES) {
    const { family } = languageSpec(id);
    // An image the operator named is theirs to provide.
    if (resolveImage(id) === builtImage(family)) wanted.add(family);
  }
  if (workspaceImage === builtImage('workspace')) wanted.add('workspace');
  const missing: ImageFamily[] = [];
  for (const family of ORDER) {
    if (!wanted.has(family)) continue;
    const present = await docker
      .getImage(builtImage(family))
      .inspect()
      .then(
        () => true,
        (error: { statusCode?: number }) => error.statusCode !== 404,
      );
    if (!present) missing.push(family);
  }
  return missing;
}

/** Why build-images cannot run here, with the fix ("missing debootstrap. Fix: …"); null when it can. */
export function buildBlocker(has = commandExists, isRoot = process.getuid?.() === 0): string | null {
  const lacks: string[] = [];
  if (!BUILD_SCRIPT) lacks.push('scripts/build-images');
  if (!has('docker')) lacks.push('the docker command');
  if (!has('debootstrap')) lacks.push('debootstrap');
  if (!isRoot) lacks.push('root (debootstrap mounts /proc in the tree it builds)');
  if (lacks.length === 0) return null;
  return (
    `missing ${lacks.join(' and ')}. ` +
    'Fix: sudo apt-get install -y debootstrap docker.io && sudo scripts/build-images'
  );
}

function commandExists(name: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.some((dir) => existsSync(`${dir}/${name}`));
}

/**
 * Builds the missing images one after another. `start` plans and begins;
 * `stop` ends the build running now (its half-made tree is cleaned up by
 * build-images itself).
 */
export class ImageBuilder {
  private builds: ImageBuild[] = [];
  private child: ChildProcess | null = null;
  private stopped = false;

  constructor(private readonly options: ImageBuilderOptions) {}

  /** Plans (or takes `families` as the plan) and builds; resolves when all are done. */
  async start(families?: ImageFamily[]): Promise<void> {
    const { docker, workspaceImage, log } = this.options;
    const missing = families ?? (await missingFamilies(docker, workspaceImage));
    if (missing.length === 0 || this.stopped) return;
    const blocker = (this.options.blocker ?? buildBlocker)();
    this.builds = missing.map((family) => ({
      family,
      languages: LANGUAGES.filter((l) => languageSpec(l.id).family === family).map((l) => l.id),
      percent: 0,
      what: blocker ? 'cannot be built here' : 'waiting its turn',
      problem: blocker ?? '',
    }));
    this.changed();
    if (blocker) {
      // Listed as they are, so the run panel says what is missing and the fix.
      log.warn('runner.images_missing', {
        families: missing,
        fix: `cannot build the sandbox images here: ${blocker}`,
      });
      return;
    }
    log.info('runner.images_building', { families: missing });
    for (const family of missing) {
      if (this.stopped) return;
      const ok = await this.build(family);
      this.builds = this.builds.filter((b) => b.family !== family);
      this.changed();
      if (ok) log.info('runner.image_ready', { family, image: builtImage(family) });
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.child?.pid !== undefined && this.child.exitCode === null) this.child.kill('SIGTERM');
  }

  private build(family: ImageFamily): Promise<boolean> {
    const { log } = this.options;
    const command = this.options.command ?? BUILD_SCRIPT!;
    const build = this.builds.find((b) => b.family === family)!;
    this.set(build, 1, 'starting');
    return new Promise((resolve) => {
      const child = spawn(command, [family], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      let lastError = '';
      const read = (line: string) => {
        const phase = phaseOf(line);
        if (phase && phase.percent > build.percent) {
          this.set(build, phase.percent, phase.what);
          log.info('runner.image_progress', { family, percent: phase.percent, what: phase.what });
        }
      };
      createInterface({ input: child.stdout! }).on('line', read);
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.trim()) lastError = line.trim();
        read(line);
      });
      child.on('error', (error) => {
        log.warn('runner.image_failed', { family, err: error });
        resolve(false);
      });
      child.on('close', (code) => {
        this.child = null;
        if (code !== 0 && !this.stopped) {
          log.warn('runner.image_failed', { family, exitCode: code, last: lastError.slice(0, 300) });
        }
        resolve(code === 0);
      });
    });
  }

  private set(build: ImageBuild, percent: number, what: string): void {
    build.percent = percent;
    build.what = what;
    this.changed();
  }

  private changed(): void {
    this.options.onChange(this.builds.map((b) => ({ ...b, languages: [...b.languages] })));
  }
}
