// Every language runs its template, stdin and environment reach the program,
// and the per-language build scripts handle folders and packages.
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../shared/schema/templates.js';
import type { LanguageId } from '../../shared/languages.js';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { TEST_LIMITS, requireImages, run } from './testing.js';

const skip = requireOrSkip('Docker', await dockerAvailable());
const docker = new Docker();
/** Compilers (javac, tsc, rustc) need more than the hostile tests' limits. */
const BUILD_LIMITS = { ...TEST_LIMITS, timeoutMs: 25_000, memoryBytes: 512 * 1024 * 1024, pids: 128 };

describe.skipIf(skip)('sandbox: languages', () => {
  beforeAll(() => requireImages(docker));

  for (const template of TEMPLATES.filter((t) => t.language)) {
    it(`${template.language} runs its template`, { timeout: 40_000 }, async () => {
      const result = await run(docker, {
        language: template.language as LanguageId,
        entry: template.entry!,
        files: template.files,
        limits: BUILD_LIMITS,
      });
      expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
      expect(result.stdout.toString()).toBe('Hello, Tandem!\n');
    });
  }

  it('stdin given with the job reaches the program, then EOF', async () => {
    const result = await run(docker, {
      code: 'import sys\ndata = sys.stdin.read()\nprint(len(data), data.upper(), end="")\n',
      stdin: 'hello\nworld\n',
    });
    expect(result.stdout.toString()).toBe('12 HELLO\nWORLD\n');
  });

  it('interactive stdin: lines written while the program runs, then closed', async () => {
    const code =
      'import sys\nprint("ready", flush=True)\nfor line in sys.stdin:\n    print("got", line.strip(), flush=True)\nprint("eof")\n';
    const result = await run(docker, { code }, {}, async (handle) => {
      handle.writeStdin('early\n'); // before the container exists: buffered
      await new Promise((resolve) => setTimeout(resolve, 600));
      handle.writeStdin(new TextEncoder().encode('late\n'));
      handle.closeStdin();
    });
    expect(result.stdout.toString()).toBe('ready\ngot early\ngot late\neof\n');
  });

  it('environment variables reach the program exactly', async () => {
    const env = {
      GREETING: 'hello world',
      MULTI: 'line1\nline2\n',
      EMPTY: '',
      QUOTES: `it's "$HOME" \`x\` \\n`,
    };
    const result = await run(docker, {
      code: 'import os, json\nprint(json.dumps({k: os.environ.get(k) for k in ["GREETING", "MULTI", "EMPTY", "QUOTES"]}))\n',
      env,
    });
    expect(JSON.parse(result.stdout.toString())).toEqual(env);
  });

  it('runs an entry in a folder, importing a sibling module, from the project root', async () => {
    const result = await run(docker, {
      files: {
        'src/app/main.py':
          'import helper, os\nprint(helper.NAME, os.getcwd(), open("data/input.txt").read())\n',
        'src/app/helper.py': 'NAME = "helper"\n',
        'data/input.txt': 'data',
      },
      entry: 'src/app/main.py',
    });
    expect(result.stdout.toString()).toBe('helper /work data\n');
  });

  it('an entry named like an option is still a file', async () => {
    const result = await run(docker, { files: { '-c': 'print("not an option")' }, entry: '-c' });
    expect(result.stdout.toString()).toBe('not an option\n');
  });

  it('a non-zero exit code and what the program wrote to stderr come through', async () => {
    const result = await run(docker, { code: 'import sys\nprint("bad", file=sys.stderr)\nsys.exit(3)\n' });
    expect(result.exit).toMatchObject({ reason: 'exited', code: 3, signal: '' });
    expect(result.text).toBe('bad\n');
  });

  it('stdout and stderr arrive in the order the program wrote them (Python, then a traceback)', async () => {
    const result = await run(docker, {
      code: 'import sys\nprint("out 1")\nprint("err 1", file=sys.stderr)\nprint("out 2")\nraise SystemExit("err 2")\n',
    });
    expect(result.text).toBe('out 1\nerr 1\nout 2\nerr 2\n');
  });

  it('and in C, where stdio would hold stdout back in a pipe', { timeout: 30_000 }, async () => {
    const result = await run(docker, {
      language: 'c',
      code: '#include <stdio.h>\nint main(void) {\n  printf("out 1\\n");\n  fprintf(stderr, "err 1\\n");\n  printf("out 2\\n");\n  fprintf(stderr, "err 2\\n");\n  return 1;\n}\n',
      limits: BUILD_LIMITS,
    });
    expect(result.text).toBe('out 1\nerr 1\nout 2\nerr 2\n');
  });

  it('a program killed by a signal reports it', async () => {
    const result = await run(docker, { code: 'import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n' });
    expect(result.exit).toMatchObject({ reason: 'exited', code: 139, signal: 'SIGSEGV' });
  });

  it('C compiles every source file of the entry folder', { timeout: 30_000 }, async () => {
    const result = await run(docker, {
      language: 'c',
      files: {
        'main.c':
          '#include <stdio.h>\nint twice(int);\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n',
        'twice.c': 'int twice(int x) { return 2 * x; }\n',
      },
      entry: 'main.c',
      limits: BUILD_LIMITS,
    });
    expect(result.stdout.toString(), result.text).toBe('42\n');
  });

  it('TypeScript with a type error still runs, the error on stderr', { timeout: 30_000 }, async () => {
    const result = await run(docker, {
      language: 'typescript',
      files: {
        'main.ts':
          'const n: number = "not a number" as any as string;\nconsole.log("ran", typeof process);\n',
      },
      entry: 'main.ts',
      limits: BUILD_LIMITS,
    });
    expect(result.stdout.toString(), result.text).toBe('ran object\n');
    expect(result.stderr.toString()).toMatch(/error TS/);
  });

  it('Java runs a class in a package with a second class', { timeout: 30_000 }, async () => {
    const result = await run(docker, {
      language: 'java',
      files: {
        'src/com/example/Main.java':
          'package com.example;\npublic class Main { public static void main(String[] a) { System.out.println(Util.greet()); } }\n',
        'src/com/example/Util.java':
          'package com.example;\nclass Util { static String greet() { return "from a package"; } }\n',
      },
      entry: 'src/com/example/Main.java',
      limits: BUILD_LIMITS,
    });
    expect(result.stdout.toString(), result.text).toBe('from a package\n');
  });

  it('a compile error is an ordinary non-zero exit', { timeout: 30_000 }, async () => {
    const result = await run(docker, {
      language: 'rust',
      files: { 'main.rs': 'fn main() { let x: i32 = "no"; }\n' },
      entry: 'main.rs',
      limits: BUILD_LIMITS,
    });
    expect(result.exit.reason).toBe('exited');
    expect(result.exit.code).not.toBe(0);
    expect(result.stderr.toString()).toMatch(/mismatched types/);
  });
});
