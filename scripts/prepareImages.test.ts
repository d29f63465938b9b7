/**
 * What `npm start` decides about sandbox images, on this machine's real
 * Docker engine and build script; and how it reads a build's progress.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { phaseOf, planImages } from './prepareImages.js';
import { dockerAvailable, requireOrSkip } from './requireTool.js';

const skip = requireOrSkip('docker', await dockerAvailable());

describe('preparing sandbox images at start', () => {
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

  it.skipIf(skip)('finds exactly the families whose image Docker lacks', () => {
    const tags = spawnSync('scripts/build-images', ['--print-tags'], { encoding: 'utf8' }).stdout.trim();
    const lacking = tags
      .split('\n')
      .map((line) => line.split(/\s+/))
      .filter(([, image]) => spawnSync('docker', ['image', 'inspect', image!]).status !== 0)
      .map(([family]) => family);
    const plan = planImages();
    expect([...plan.missing].sort()).toEqual([...lacking].sort());
    // This machine builds images as root with debootstrap (CI installs it).
    if (plan.missing.length > 0) expect(plan.blocker).toBeNull();
  });
});
