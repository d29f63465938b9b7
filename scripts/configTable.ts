/** Prints the relay's and the runner's configuration tables as Markdown, for README. */
import { OPTIONS } from '../relay/config.js';
import { RUNNER_OPTIONS } from '../runner/config.js';

interface Row {
  env: string;
  default: string;
  description: string;
}

function table(options: readonly Row[]): string {
  const rows = options.map(
    (o) => `| \`${o.env}\` | ${o.default === '' ? '(empty)' : `\`${o.default}\``} | ${o.description} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export const configTable = (): string => table(OPTIONS);
export const runnerConfigTable = (): string => table(RUNNER_OPTIONS);

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`Relay:\n\n${configTable()}\n\nRunner:\n\n${runnerConfigTable()}\n`);
}
