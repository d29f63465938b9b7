/**
 * How a job reaches its container: as the first bytes of the container's stdin,
 * read by BOOTSTRAP_SCRIPT (the container's command, under tini):
 *
 *   payload = "TANDEM2\n" entry "\n" mode "\n" tarSize "\n" tar envCount "\n" (NAME "=" base64(value) "\n")*
 *
 * mode is `batch` (the language's script runs the entry) or `terminal` (its
 * interactive program runs on a pseudo-terminal made inside the container by
 * util-linux `script`, so a REPL sees a TTY while the container's own stdio stay
 * plain pipes: the payload still arrives over stdin and warm containers serve
 * both modes).
 *
 * and then the program's own stdin. `read` in sh consumes a pipe one byte at a
 * time and GNU `head -c N` reads no more than N bytes, so the program sees exactly
 * the bytes after the payload.
 *
 * Why stdin and not putArchive: the root filesystem is read-only, so putArchive
 * must target a volume; a tmpfs given as HostConfig.Tmpfs exists only inside the
 * container's mount namespace, where the daemon does not extract, and a
 * tmpfs-backed local volume is unmounted (and emptied) between putArchive and
 * start on a created container. Writing the payload to an already attached
 * container needs no extra API call, works for warm containers started long
 * before the job, and lets /work be a plain size-capped tmpfs.
 */
import tar from 'tar-stream';
import type { Job } from './types.js';
import { TERMINAL_SIZE } from '../../shared/protocol/runs.js';

export const PAYLOAD_MAGIC = 'TANDEM2';
const RUNNER_UID = 1000;

/** Exit status of the bootstrap itself when the payload is unusable (a runner bug). */
export const BOOTSTRAP_FAILED_CODE = 125;

/**
 * Reads the payload, unpacks the project into /work, exports the environment,
 * then runs `script` (the language's) with the entry as "$1" from /work, or in
 * terminal mode `terminal` on a pseudo-terminal.
 */
export function bootstrapScript(script: string, terminal: string): string {
  if (terminal.includes("'")) throw new Error('a terminal command must not contain single quotes');
  return `set -u
fail() { echo "tandem: $*" >&2; exit ${BOOTSTRAP_FAILED_CODE}; }
IFS= read -r magic || fail 'no job'
[ "$magic" = ${PAYLOAD_MAGIC} ] || fail 'bad job header'
IFS= read -r entry || fail 'no entry'
IFS= read -r mode || fail 'no mode'
IFS= read -r size || fail 'no archive size'
case $size in ''|*[!0-9]*) fail 'bad archive size' ;; esac
head -c "$size" | { tar -x -m -f - -C /work; s=$?; cat >/dev/null; exit $s; } || fail 'cannot unpack the project'
IFS= read -r count || fail 'no environment'
case $count in ''|*[!0-9]*) fail 'bad environment count' ;; esac
while [ "$count" -gt 0 ]; do
  IFS= read -r pair || fail 'short environment'
  name=\${pair%%=*}
  case $name in ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*) fail 'bad environment name' ;; esac
  value=$(printf '%s' "\${pair#*=}" | base64 -d && echo .) || fail 'bad environment value'
  export "$name=\${value%.}"
  count=$((count - 1))
done
unset magic size count pair name value
cd /work || fail 'no /work'
set -- "$entry"
unset entry
if [ "$mode" = terminal ]; then
  export TANDEM_ENTRY="$1" TERM=xterm-256color
  exec script -q -f -e -c 'stty cols ${TERMINAL_SIZE.cols} rows ${TERMINAL_SIZE.rows} 2>/dev/null; exec ${terminal}' /dev/null
fi
unset mode
${script}
`;
}

/** The tar of a validated snapshot: folders then files, owned by the sandbox user. */
export async function projectTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const mtime = new Date();
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
  }
  const owner = { uid: RUNNER_UID, gid: RUNNER_UID, uname: 'runner', gname: 'runner', mtime };
  for (const dir of [...dirs].sort())
    pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, ...owner });
  for (const [path, text] of Object.entries(files)) {
    pack.entry({ name: path, type: 'file', mode: 0o644, ...owner }, Buffer.from(text, 'utf8'));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Everything the bootstrap reads before the program's stdin. Job must be validated. */
export async function jobPayload(job: Pick<Job, 'entry' | 'files' | 'env' | 'terminal'>): Promise<Buffer> {
  const archive = await projectTar(job.files);
  const env = Object.entries(job.env ?? {});
  const envLines = env
    .map(([name, value]) => `${name}=${Buffer.from(value, 'utf8').toString('base64')}\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(
      `${PAYLOAD_MAGIC}\n${job.entry}\n${job.terminal ? 'terminal' : 'batch'}\n${archive.length}\n`,
      'utf8',
    ),
    archive,
    Buffer.from(`${env.length}\n${envLines}`, 'utf8'),
  ]);
}
