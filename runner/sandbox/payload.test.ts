import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_MAGIC, bootstrapScript, jobPayload, projectTar } from './payload.js';

async function entries(archive: Buffer) {
  const extract = tar.extract();
  const found: { name: string; type: string; uid: number; mode: number; body: string }[] = [];
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => {
      chunks.push(chunk as Buffer);
    });
    stream.on('end', () => {
      found.push({
        name: header.name,
        type: header.type ?? 'file',
        uid: header.uid ?? -1,
        mode: header.mode ?? 0,
        body: Buffer.concat(chunks).toString(),
      });
      next();
    });
  });
  const done = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  extract.end(archive);
  await done;
  return found;
}

describe('payload', () => {
  it('packs folders and regular files only, owned by the sandbox user', async () => {
    const list = await entries(await projectTar({ 'a/b/c.py': 'c', 'main.py': 'm', 'a/d.txt': 'ü' }));
    expect(list.map((e) => [e.name, e.type])).toEqual([
      ['a/', 'directory'],
      ['a/b/', 'directory'],
      ['a/b/c.py', 'file'],
      ['main.py', 'file'],
      ['a/d.txt', 'file'],
    ]);
    expect(new Set(list.map((e) => e.uid))).toEqual(new Set([1000]));
    expect(list.find((e) => e.name === 'a/d.txt')?.body).toBe('ü');
  });

  it('frames the entry, the archive and the environment', async () => {
    const payload = await jobPayload({ entry: 'main.py', files: { 'main.py': 'x' }, env: { A: 'é\n' } });
    const text = payload.toString('latin1');
    const [magic, entry, mode, size] = text.split('\n', 4);
    expect([magic, entry, mode]).toEqual([PAYLOAD_MAGIC, 'main.py', 'batch']);
    const start = magic!.length + entry!.length + mode!.length + size!.length + 4;
    const archive = payload.subarray(start, start + Number(size));
    expect((await entries(archive)).map((e) => e.name)).toEqual(['main.py']);
    expect(payload.subarray(start + Number(size)).toString()).toBe(
      `1\nA=${Buffer.from('é\n').toString('base64')}\n`,
    );
  });

  it('appends the language script after the bootstrap, the entry only as "$1"', () => {
    const script = bootstrapScript('exec python3 "./$1"', 'python3 -i');
    expect(script).toContain('set -- "$entry"');
    expect(script.trimEnd().endsWith('exec python3 "./$1"')).toBe(true);
    expect(script).toContain("exec script -q -f -e -c 'stty cols");
  });

  it('marks terminal jobs in the payload, and refuses a terminal command it cannot quote', async () => {
    const payload = await jobPayload({ entry: 'main.py', files: { 'main.py': 'x' }, terminal: true });
    expect(payload.toString('latin1').split('\n', 3)[2]).toBe('terminal');
    expect(() => bootstrapScript('true', "sh -c 'x'")).toThrow(/single quotes/);
  });
});
