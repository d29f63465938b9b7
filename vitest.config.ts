import { defineConfig } from 'vitest/config';

const TESTED_FOLDERS = ['shared', 'server', 'relay', 'runner', 'client', 'scripts'];

export default defineConfig({
  test: {
    include: TESTED_FOLDERS.flatMap((folder) => [`${folder}/**/*.test.ts`, `${folder}/**/*.test.tsx`]),
    exclude: ['**/node_modules/**', 'bench/**', 'client/dist/**', 'data/**'],
    // Forks, not threads: integration tests spawn relays, Docker and Chromium.
    pool: 'forks',
    // The CI machine has 2 cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summaryReporter.ts'],
  },
});
