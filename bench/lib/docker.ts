/** The baseline every run benchmark sits beside: a plain `docker run` of the same image. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Milliseconds for `docker run --rm --network none [--runtime R] IMAGE python3 -c CODE`; checks what it printed. */
export async function timeDockerRun(
  image: string,
  code: string,
  expected: string,
  runtime?: string,
): Promise<number> {
  const started = performance.now();
  const { stdout } = await execFileAsync('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    ...(runtime ? ['--runtime', runtime] : []),
    image,
    'python3',
    '-c',
    code,
  ]);
  if (stdout !== expected) throw new Error(`docker run printed ${JSON.stringify(stdout)}`);
  return performance.now() - started;
}
