// Programs that try to leave the sandbox: network, host files, secrets, the
// Docker socket, privilege changes, paths outside /work, compile bombs.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, release } from 'node:os';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_RUN } from './containerSpec.js';
import {
  TEST_LIMITS,
  UNDER_GVISOR,
  expectHealthy,
  expectRemoved,
  requireImages,
  sandboxSkip,
  run,
  testJob,
} from './testing.js';

const skip = await sandboxSkip();
const docker = new Docker();
const CANARY = `canary-${process.pid}-secret`;

/** The host's default gateway from /proc/net/route, if any. */
function hostGateway(): string | null {
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const [, destination, gateway] = line.trim().split(/\s+/);
      if (destination === '00000000' && gateway && gateway !== '00000000') {
        return (gateway.match(/../g) ?? [])
          .reverse()
          .map((hex) => parseInt(hex, 16))
          .join('.');
      }
    }
  } catch {
    // no /proc/net/route: not Linux
  }
  return null;
}

describe.skipIf(skip)('sandbox: escapes', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    await requireImages(docker);
    process.env.TANDEM_TEST_CANARY = CANARY;
    server = createServer((socket) => socket.end('HOST SERVICE\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    delete process.env.TANDEM_TEST_CANARY;
    server?.close();
  });

  it('runs on the kernel of its runtime: the host’s under runc, gVisor’s own under runsc', async () => {
    const result = await run(docker, { code: 'import os\nprint(os.uname().release)' });
    const inside = result.stdout.toString().trim();
    if (UNDER_GVISOR) expect(inside).not.toBe(release());
    else expect(inside).toBe(release());
  });

  it('has no network: no DNS, no host loopback, no gateway, no host address', async () => {
    const targets = ['127.0.0.1', '172.17.0.1'];
    const gateway = hostGateway();
    if (gateway) targets.push(gateway);
    for (const list of Object.values(networkInterfaces())) {
      for (const address of list ?? [])
        if (address.family === 'IPv4' && !address.internal) targets.push(address.address);
    }
    const result = await run(docker, {
      code: [
        'import os, socket, json',
        'print("interfaces", sorted(os.listdir("/sys/class/net")))',
        'try:',
        '    socket.getaddrinfo("example.com", 80)',
        '    print("DNS RESOLVED")',
        'except OSError as e:',
        '    print("dns failed", type(e).__name__)',
        `for host in json.loads(os.environ["TARGETS"]):`,
        '    s = socket.socket()',
        '    s.settimeout(1)',
        '    try:',
        `        s.connect((host, ${port}))`,
        '        print("CONNECTED", host, s.recv(100))',
        '    except OSError as e:',
        '        print("tcp failed", host, e.errno)',
      ].join('\n'),
      env: { TARGETS: JSON.stringify(targets) },
    });
    const out = result.stdout.toString();
    expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
    expect(out).toContain("interfaces ['lo']");
    expect(out).toContain('dns failed');
    expect(out).not.toContain('DNS RESOLVED');
    expect(out).not.toContain('CONNECTED');
    expect(out.match(/tcp failed/g)?.length).toBe(targets.length);
    await expectHealthy(docker);
  });

  it('sees no host files, no runner secrets in /proc/1/environ, no Docker socket', async () => {
    const result = await run(docker, {
      code: [
        'import os',
        'for path in ["/var/run/docker.sock", "/run/docker.sock", "/var/lib/docker", "/run/containerd",',
        '             "/usr/bin/dockerd", "/root/.docker", "/work/main", "/proc/kcore"]:',
        '    print("exists" if os.path.exists(path) else "absent", path)',
        'print("environ", open("/proc/1/environ", "rb").read().replace(b"\\0", b" ").decode())',
        'print("self", " ".join(sorted(os.environ)))',
        'print("mounts", "docker.sock" in open("/proc/self/mountinfo").read())',
        'print("hostname", open("/etc/hostname").read().strip())',
        'try:',
        '    open("/etc/shadow").read()',
        '    print("READ SHADOW")',
        'except OSError as e:',
        '    print("shadow", e.errno)',
        'print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))',
        'print("uids", {os.stat(f"/proc/{p}").st_uid for p in os.listdir("/proc") if p.isdigit()})',
      ].join('\n'),
    });
    const out = result.stdout.toString();
    expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
    expect(out).not.toMatch(/^exists /m);
    expect(out).not.toContain(CANARY);
    expect(out).not.toContain('TANDEM_TEST_CANARY');
    const environ = out.match(/^environ (.*)$/m)?.[1] ?? '';
    const names = environ
      .trim()
      .split(' ')
      .map((pair) => pair.split('=')[0]);
    expect(names.sort()).toEqual([
      'HOME',
      'HOSTNAME',
      'LANG',
      'LD_PRELOAD',
      'PATH',
      'PYTHONDONTWRITEBYTECODE',
      'PYTHONUNBUFFERED',
      'TMPDIR',
      '_STDBUF_O',
    ]);
    expect(out).toContain('mounts False');
    expect(out).toContain('hostname sandbox');
    expect(out).toContain('shadow 13'); // EACCES
    expect(out).toContain('uids {1000}');
    await expectHealthy(docker);
  });

  it('cannot setuid, mount, unshare, or ptrace anything outside the sandbox', async () => {
    let dockerdPid = 1;
    try {
      dockerdPid = Number(readFileSync('/var/run/docker.pid', 'utf8')) || 1;
    } catch {
      // not readable: PID 1 of the host stands in
    }
    const result = await run(docker, {
      code: [
        'import ctypes, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'def call(name, rc):',
        '    print(name, rc, ctypes.get_errno())',
        'for name, fn in [("setuid", lambda: os.setuid(0)), ("setgid", lambda: os.setgid(0)), ("seteuid", lambda: os.seteuid(0))]:',
        '    try:',
        '        fn()',
        '        print(name, "SUCCEEDED")',
        '    except OSError as e:',
        '        print(name, -1, e.errno)',
        'os.makedirs("/tmp/m", exist_ok=True)',
        'call("mount", libc.mount(b"none", b"/tmp/m", b"tmpfs", 0, None))',
        'call("mount-proc", libc.mount(b"proc", b"/tmp/m", b"proc", 0, None))',
        'call("unshare-user", libc.unshare(0x10000000))',
        'call("unshare-mount", libc.unshare(0x00020000))',
        'call("unshare-net", libc.unshare(0x40000000))',
        'call("chroot", libc.chroot(b"/tmp"))',
        `call("ptrace-runner", libc.ptrace(16, ${process.pid}, 0, 0))`,
        `call("ptrace-dockerd", libc.ptrace(16, ${dockerdPid}, 0, 0))`,
      ].join('\n'),
    });
    const out = result.stdout.toString();
    expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
    expect(out).not.toContain('SUCCEEDED');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(11);
    for (const line of lines) {
      const [name, rc, errno] = line.split(' ');
      // gVisor's kernel gives a sandbox user namespaces of its own, and in one
      // the namespaces and chroot that follow: all inside the sentry, nothing of the host's.
      if (UNDER_GVISOR && ['unshare-user', 'unshare-mount', 'unshare-net', 'chroot'].includes(name!))
        continue;
      expect(rc, line).toBe('-1');
      // EPERM: refused by the seccomp filter or for want of a capability; under
      // gVisor a host process is not even there to ptrace (ESRCH).
      expect(errno, line).toBe(UNDER_GVISOR && name!.startsWith('ptrace') ? '3' : '1');
    }
    await expectHealthy(docker);
  });

  // gVisor does not load the OCI seccomp profile: its sentry answers every call
  // itself (and Debian's runsc 20221219 breaks threads with --oci-seccomp), so
  // the seccomp tests exist only where the host kernel answers.
  const seccompIt = UNDER_GVISOR ? () => undefined : it;

  seccompIt(
    'its seccomp profile refuses what one process of a sandbox could do to another, and calls a sandbox never needs',
    async () => {
      // Each call is one a sandbox's own user could make without a capability
      // under Docker's default profile (ptrace of a child, the keyring, io_uring...).
      const result = await run(docker, {
        code: [
          'import ctypes, os, signal, time',
          'libc = ctypes.CDLL(None, use_errno=True)',
          'libc.syscall.restype = ctypes.c_long',
          'def call(name, number, *args):',
          '    ctypes.set_errno(0)',
          '    rc = libc.syscall(number, *[ctypes.c_long(a) for a in args])',
          '    print(name, rc, ctypes.get_errno())',
          'child = os.fork()',
          'if child == 0:',
          '    time.sleep(30)',
          '    os._exit(0)',
          'buf = ctypes.create_string_buffer(8)',
          'iov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 8)',
          'call("ptrace-attach-child", 101, 16, child, 0, 0)',
          'call("ptrace-traceme", 101, 0, 0, 0, 0)',
          'call("process_vm_readv", 310, child, ctypes.addressof(iov), 1, ctypes.addressof(iov), 1, 0)',
          'call("kcmp", 312, os.getpid(), child, 0, 0, 0)',
          'call("personality-read-implies-exec", 135, 0x0400000)',
          'call("personality-no-aslr", 135, 0x0040000)',
          'call("keyctl", 250, 0, 0, 0, 0, 0)',
          'call("add_key", 248, 0, 0, 0, 0, 0)',
          'call("bpf", 321, 0, 0, 0)',
          'call("userfaultfd", 323, 0)',
          'call("perf_event_open", 298, 0, 0, -1, -1, 0)',
          'call("io_uring_setup", 425, 1, 0)',
          'call("unshare-user", 272, 0x10000000)',
          'call("clone-newuser", 56, 0x10000000 | signal.SIGCHLD, 0, 0, 0, 0)',
          'call("setns", 308, 0, 0)',
          'call("clone3", 435, 0, 0)',
          'os.kill(child, signal.SIGKILL)',
          'os.waitpid(child, 0)',
          // What programs need still works: threads, processes, the harmless personality query.
          'import threading, subprocess',
          't = threading.Thread(target=lambda: None); t.start(); t.join()',
          'print("subprocess", subprocess.run(["true"]).returncode)',
          'libc.personality.argtypes = [ctypes.c_ulong]',
          'print("personality-query", libc.personality(0xffffffff) >= 0)',
        ].join('\n'),
      });
      const out = result.stdout.toString();
      expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
      const refused = Object.fromEntries(
        out
          .trim()
          .split('\n')
          .map((line) => line.split(' '))
          .filter((parts) => parts.length === 3)
          .map(([name, rc, errno]) => [name, `${rc} ${errno}`]),
      );
      expect(refused).toEqual({
        'ptrace-attach-child': '-1 1',
        'ptrace-traceme': '-1 1',
        process_vm_readv: '-1 1',
        kcmp: '-1 1',
        'personality-read-implies-exec': '-1 1',
        'personality-no-aslr': '-1 1',
        keyctl: '-1 1',
        add_key: '-1 1',
        bpf: '-1 1',
        userfaultfd: '-1 1',
        perf_event_open: '-1 1',
        io_uring_setup: '-1 1',
        'unshare-user': '-1 1',
        'clone-newuser': '-1 1',
        setns: '-1 1',
        clone3: '-1 38', // ENOSYS: the C library falls back to clone, which the filter can read
      });
      expect(out).toContain('subprocess 0\n');
      expect(out).toContain('personality-query True\n');
      await expectHealthy(docker);
    },
  );

  it('under the engine’s builtin profile a sandbox may ptrace its own child (why Tandem ships its own)', async () => {
    const result = await run(
      docker,
      {
        code: [
          'import ctypes, os, time',
          'libc = ctypes.CDLL(None, use_errno=True)',
          'child = os.fork()',
          'if child == 0:',
          '    time.sleep(30)',
          '    os._exit(0)',
          'print(libc.ptrace(16, child, 0, 0), ctypes.get_errno())',
          'os.kill(child, 9)',
        ].join('\n'),
      },
      { seccompProfile: 'builtin' },
    );
    expect(result.stdout.toString()).toBe('0 0\n');
    await expectHealthy(docker);
  });

  seccompIt('an operator seccomp profile replaces Tandem’s', async () => {
    const seccompProfile = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    });
    const result = await run(
      docker,
      {
        code: 'import os\ntry:\n    os.getcwd()\nexcept OSError as e:\n    print("getcwd", e.errno)\n',
      },
      { seccompProfile },
    );
    expect(result.stdout.toString()).toBe('getcwd 13\n');
    await expectHealthy(docker);
  });

  for (const [name, files, entry] of [
    ['a ../ path', { '../evil.py': 'print(1)', 'main.py': 'print(1)' }, 'main.py'],
    ['an inner ../ path', { 'a/../../evil.py': 'print(1)', 'main.py': 'print(1)' }, 'main.py'],
    ['an absolute path', { '/etc/cron.d/evil': 'x', 'main.py': 'print(1)' }, 'main.py'],
    ['a backslash path', { '..\\evil.py': 'x', 'main.py': 'print(1)' }, 'main.py'],
    ['a ../ entry', { 'main.py': 'print(1)' }, '../main.py'],
    ['a file that is also a folder', { a: 'x', 'a/b.py': 'x', 'main.py': 'print(1)' }, 'main.py'],
  ] as const) {
    it(`refuses a snapshot with ${name}`, async () => {
      const job = testJob({ files: { ...files }, entry });
      const result = await run(docker, job);
      expect(result.exit).toMatchObject({ reason: 'error', code: null });
      expect(result.exit.message).toBeTruthy();
      expect(result.exits).toBe(1);
      expect(
        await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${job.runId}`] } }),
      ).toEqual([]);
      await expectHealthy(docker);
    });
  }

  it('a C preprocessor bomb ends by a limit, not a hung runner', async () => {
    // 10^10 tokens of one valid expression.
    const macros = ['#define A0 1+1+1+1+1+1+1+1+1+1+'];
    for (let i = 1; i <= 9; i++)
      macros.push(
        `#define A${i} ${Array(10)
          .fill(`A${i - 1}`)
          .join(' ')}`,
      );
    const limits = { ...TEST_LIMITS, timeoutMs: 5_000, memoryBytes: 256 * 1024 * 1024 };
    const result = await run(docker, {
      language: 'c',
      code: `${macros.join('\n')}\nint main(void) { return A9 0; }\n`,
      limits,
    });
    // The compiler is stopped by the timeout or the memory limit (the OOM killer
    // may take only cc1: then gcc fails and the run exits non-zero).
    if (result.exit.reason === 'exited') expect(result.exit.code).not.toBe(0);
    else expect(['timeout', 'memory', 'output-limit']).toContain(result.exit.reason);
    expect(result.exit.durationMs).toBeLessThan(limits.timeoutMs + 5_000);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('C++ template recursion fails to compile, quickly', async () => {
    const result = await run(docker, {
      language: 'cpp',
      code: [
        'template <int N> struct R { static constexpr long v = R<N - 1>::v + R<N - 2>::v; };',
        'template <> struct R<1> { static constexpr long v = 1; };',
        'template <> struct R<0> { static constexpr long v = 0; };',
        'int main() { return R<100000>::v; }',
      ].join('\n'),
      limits: { ...TEST_LIMITS, timeoutMs: 10_000, memoryBytes: 256 * 1024 * 1024 },
    });
    expect(result.exit.reason === 'exited' ? result.exit.code : 1).not.toBe(0);
    expect(['exited', 'timeout', 'memory', 'output-limit']).toContain(result.exit.reason);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });
});
