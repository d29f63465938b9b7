// One linter, configured once. The layering rule keeps imports one way:
// client, relay and runner may import shared; shared imports none of them and no
// Node or DOM I/O; server (Node code the relay and the runner share) imports only
// shared; relay and runner never import each other. Tests are exempt
// (except in shared/): an end-to-end test starts a real relay beside a runner or
// a browser, so it has to reach across.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (forbidden, message) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
});

const TESTS = ['**/test/**', '**/*.test.ts', '**/*.test.tsx'];

export default tseslint.config(
  { ignores: ['node_modules/', 'client/dist/', 'dist/', 'data/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['shared/**'],
    rules: layer(
      ['**/client/**', '**/relay/**', '**/runner/**', 'node:*', 'fs', 'path', 'ws', 'better-sqlite3'],
      'shared/ is the common layer: it imports no other part and does no I/O.',
    ),
  },
  {
    files: ['server/**'],
    ignores: TESTS,
    rules: layer(
      ['**/client/**', '**/relay/**', '**/runner/**'],
      'server/ is what the relay and the runner share: it imports only shared/.',
    ),
  },
  {
    files: ['client/**'],
    ignores: TESTS,
    rules: layer(['**/relay/**', '**/runner/**', '**/server/**', 'node:*'], 'client/ imports only shared/.'),
  },
  {
    files: ['relay/**'],
    ignores: TESTS,
    rules: layer(['**/client/**', '**/runner/**'], 'relay/ imports only shared/, never client/ or runner/.'),
  },
  {
    files: ['runner/**'],
    ignores: TESTS,
    rules: layer(['**/client/**', '**/relay/**'], 'runner/ imports only shared/, never client/ or relay/.'),
  },
);
