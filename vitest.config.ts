import { defineConfig } from 'vitest/config';

const TESTED_FOLDERS = ['shared', 'server', 'relay', 'runner', 'client', 'scripts'];
/** The hostile-program suite, run a second time with every sandbox under gVisor. */
const HOSTILE_PROGRAMS = ['escape', 'hostileProcesses', 'hostileOutput'].map(
  (name) => `runner/sandbox/${name}.test.ts`,
);

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'bench/**', 'client/dist/**', 'data/**'],
    // Forks, not threads: integration tests spawn relays, Docker and Chromium.
    pool: 'forks',
    // The CI machine has 2 cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summaryReporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'tandem',
          include: TESTED_FOLDERS.flatMap((folder) => [`${folder}/**/*.test.ts`, `${folder}/**/*.test.tsx`]),
        },
      },
      {
        // Needs the runsc runtime registered with the engine (scripts/gvisor-up);
        // skipped without it, except under CI=true.
        extends: true,
        test: { name: 'gvisor', include: HOSTILE_PROGRAMS, env: { TANDEM_RUNNER_RUNTIME: 'runsc' } },
      },
    ],
  },
});
