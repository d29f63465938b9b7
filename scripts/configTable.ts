/** Prints the relay's configuration table as Markdown, for README. */
import { OPTIONS } from '../relay/config.js';

export function configTable(): string {
  const rows = OPTIONS.map(
    (o) => `| \`${o.env}\` | ${o.default === '' ? '(empty)' : `\`${o.default}\``} | ${o.description} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${configTable()}\n`);
