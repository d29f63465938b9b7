/**
 * The runner building the sandbox images it lacks: which ones it finds missing
 * on this machine's real Docker engine, how it reads a build's progress, and
 * what it reports while building (with a stand-in for build-images that prints
 * what the real one prints: a real build takes minutes).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBlocker, ImageBuilder, missingFamilies, phaseOf, type ImageBuild } from './imageBuilds.js';
import { builtImage, IMAGE_FAMILIES } from './languages.js';
import { dockerAvailable, requireOrSkip } from '../scripts/requireTool.js';

const skip = requireOrSkip('docker', await dockerAvailable());
const dir = mkdtempSync(join(tmpdir(), 'tandem-image-builds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for build-images: the real one's phase lines, then exit `code` for `failing`. */
function fakeBuild(failing: string): string {
  const path = join(dir, 'build-images');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'echo "[build-images] $1: building tandem-$1:abc: debootstrap --variant=minbase"',
      'echo "  [  0s] I: Retrieving InRelease"',
      'echo "  [ 26s] I: Extracting adduser..." >&2',
      'echo "  [ 54s] I: Unpacking the base system..."',
      'echo "some other line"',
      `if [ "$1" = "${failing}" ]; then echo "E: no space left" >&2; exit 1; fi`,
      'echo "[build-images] $1: finishing the tree (runner/images/finish.sh)"',
      'echo "[build-images] $1: docker import (300M tree)"',
    ].join('\n') + '\n',
  );
  chmodSync(path, 0o755);
  return path;
}

function quietLog() {
  const lines: { level: string; event: string; fields?: object }[] = [];
  return {
    lines,
    info: (event: string, fields?: object) => lines.push({ level: 'info', event, fields }),
    warn: (event: string, fields?: object) => lines.push({ level: 'warn', event, fields }),
  };
}

/** A builder running `command`, with what it reported and logged. */
function builderWith(command: string, blocker: () => string | null) {
  const reports: ImageBuild[][] = [];
  const log = quietLog();
  const builder = new ImageBuilder({
    docker: new Docker(),
    workspaceImage: builtImage('workspace'),
    log,
    onChange: (builds) => reports.push(builds),
    command,
    blocker,
  });
  return { builder, reports, log };
}

describe('the runner’s sandbox image builds', () => {
  it('reads build-images’ lines as rising progress, and ignores the rest', () => {
    const lines = [
      '[build-images] python: building tandem-python:abc: debootstrap --variant=minbase',
      '  [  0s] I: Retrieving InRelease',
      '  [ 26s] I: Extracting adduser...',
      '  [ 54s] I: Unpacking the base system...',
      '[build-images] python: finishing the tree (runner/images/finish.sh)',
      '[build-images] python: docker import (300M tree)',
    ];
    const percents = lines.map((line) => phaseOf(line)?.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a! - b!));
    expect(new Set(percents).size).toBe(lines.length);
    expect(phaseOf('random output')).toBeNull();
  });

  it('builds one family after another, reporting each one’s progress; a failed build is dropped and logged', async () => {
    const { builder, reports, log } = builderWith(fakeBuild('node'), () => null);
    await builder.start(['python', 'node', 'java']);
    // First everything waits its turn, Python first; Java serves only java.
    expect(reports[0]!.map((b) => [b.family, b.percent, b.what])).toEqual([
      ['python', 0, 'waiting its turn'],
      ['node', 0, 'waiting its turn'],
      ['java', 0, 'waiting its turn'],
    ]);
    expect(reports[0]![1]!.languages).toEqual(['javascript', 'typescript']);
    // Python rises through its phases while the others wait.
    const python = reports.map((r) => r.find((b) => b.family === 'python')?.percent ?? null);
    const seen = python.filter((p): p is number => p !== null);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(92);
    expect(reports.some((r) => r[0]?.family === 'node' && r[0].percent === 55)).toBe(true);
    expect(reports.at(-1)).toEqual([]);
    expect(log.lines.filter((l) => l.event === 'runner.image_ready').map((l) => l.fields)).toEqual([
      { family: 'python', image: builtImage('python') },
      { family: 'java', image: builtImage('java') },
    ]);
    expect(log.lines.find((l) => l.event === 'runner.image_failed')?.fields).toMatchObject({
      family: 'node',
      exitCode: 1,
      last: 'E: no space left',
    });
  });

  it('where it cannot build, builds nothing and says what is missing with the fix, to the log and the relay', async () => {
    const { builder, reports, log } = builderWith(fakeBuild(''), () => buildBlocker(() => false, false));
    await builder.start(['python']);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toEqual([
      {
        family: 'python',
        languages: ['python'],
        percent: 0,
        what: 'cannot be built here',
        problem: expect.stringMatching(
          /^missing the docker command and debootstrap and root \(.*\)\. Fix: sudo apt-get install -y debootstrap docker\.io && sudo scripts\/build-images$/,
        ),
      },
    ]);
    expect(log.lines.some((l) => l.event === 'runner.image_ready')).toBe(false);
    const warned = log.lines.find((l) => l.event === 'runner.images_missing');
    expect(warned?.fields).toMatchObject({ families: ['python'] });
    expect(JSON.stringify(warned?.fields)).toMatch(/missing the docker command and debootstrap and root/);
    expect(buildBlocker(() => true, true)).toBeNull();
  });

  it.skipIf(skip)('finds exactly the families whose image Docker lacks', async () => {
    const lacking = IMAGE_FAMILIES.filter(
      (family) => spawnSync('docker', ['image', 'inspect', builtImage(family)]).status !== 0,
    );
    expect([...(await missingFamilies(new Docker(), builtImage('workspace')))].sort()).toEqual(
      [...lacking].sort(),
    );
    // A workspace image the operator named is not this runner's to build.
    expect(await missingFamilies(new Docker(), 'example/own-workspace:1')).not.toContain('workspace');
  });
});
