/**
 * The seccomp profile every sandbox (runs, warm containers, workspaces) gets
 * unless the operator names another (TANDEM_RUNNER_SECCOMP).
 *
 * An allow-list, like Docker's default, of what compilers, interpreters,
 * package managers, language servers and dev servers call; anything else
 * (including system calls newer than this list) fails with EPERM. Beyond
 * Docker's default it refuses what a sandbox never needs and what lets one
 * process reach into another: `ptrace`, `process_vm_readv`/`writev`, `kcmp`,
 * `pidfd_getfd`, `process_madvise`, `personality` except its harmless values,
 * the kernel keyring, `bpf`, `userfaultfd`, `perf_event_open`, `io_uring`,
 * namespaces (`unshare`, `setns`, `clone` with a CLONE_NEW* flag) and every
 * mount, module, clock, swap and reboot call. Most of those already need a
 * capability the sandbox lacks; the filter is the second wall, and it is the
 * only one for the calls that need none (ptrace of a sibling, the keyring,
 * io_uring, user namespaces on kernels that allow them unprivileged).
 *
 * Names a kernel lacks (e.g. `open` on arm64) are skipped by the engine.
 * Calls from another ABI (32-bit x86 on an x86-64 host) are not in the filter
 * and are refused.
 */

const EPERM = 1;
const ENOSYS = 38;

/** Files, folders, descriptors and their metadata. */
// prettier-ignore
const FILES = [
  'read', 'write', 'open', 'openat', 'openat2', 'close', 'close_range', 'creat',
  'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs',
  'lseek', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'access', 'faccessat', 'faccessat2', 'dup', 'dup2', 'dup3', 'fcntl', 'flock', 'ioctl',
  'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'truncate', 'ftruncate', 'fallocate', 'fadvise64', 'readahead',
  'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir',
  'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat', 'unlink', 'unlinkat',
  'symlink', 'symlinkat', 'readlink', 'readlinkat', 'mknod', 'mknodat',
  'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat', 'umask',
  'utime', 'utimes', 'utimensat', 'futimesat',
  'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr',
  'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
  'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range',
  'pipe', 'pipe2', 'memfd_create',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
  'io_setup', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_submit', 'io_cancel',
];

/** Waiting for descriptors, events and timers. */
// prettier-ignore
const EVENTS = [
  'poll', 'ppoll', 'select', 'pselect6',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
  'eventfd', 'eventfd2', 'signalfd', 'signalfd4', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
];

/** Memory. */
// prettier-ignore
const MEMORY = [
  'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'msync', 'mincore', 'madvise', 'remap_file_pages',
  'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'membarrier',
  'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'mbind', 'get_mempolicy', 'set_mempolicy',
  'shmget', 'shmat', 'shmdt', 'shmctl',
];

/** Processes and threads (`clone` is below: only without new namespaces). */
// prettier-ignore
const PROCESSES = [
  'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid',
  'getpid', 'getppid', 'gettid', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq',
  'arch_prctl', 'prctl', 'seccomp', 'futex', 'futex_waitv',
  'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups',
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
  'capget', 'capset',
  'setpgid', 'getpgid', 'getpgrp', 'setsid', 'getsid',
  'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times', 'sysinfo', 'uname',
  'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set',
  'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam',
  'sched_getscheduler', 'sched_setscheduler', 'sched_getattr', 'sched_setattr',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'getcpu',
  'pidfd_open', 'pidfd_send_signal', 'getrandom',
  'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
];

/** Signals. */
// prettier-ignore
const SIGNALS = [
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait',
  'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'restart_syscall',
  'kill', 'tkill', 'tgkill', 'pause', 'alarm',
];

/** Clocks and timers (reading them and sleeping; never setting the time). */
// prettier-ignore
const TIME = [
  'time', 'gettimeofday', 'clock_gettime', 'clock_getres', 'clock_nanosleep', 'nanosleep',
  'getitimer', 'setitimer', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete',
];

/** Sockets (the sandbox has only its own loopback) and System V / POSIX IPC. */
// prettier-ignore
const IPC = [
  'socketpair', 'connect', 'accept', 'accept4', 'bind', 'listen', 'shutdown',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
  'getsockname', 'getpeername', 'setsockopt', 'getsockopt',
  'semget', 'semop', 'semtimedop', 'semctl', 'msgget', 'msgsnd', 'msgrcv', 'msgctl',
  'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
];

/** Namespace flags of clone(2): a sandbox makes none. */
const CLONE_NEW_ANY = 0x7e020000;
const AF_VSOCK = 40;
/** personality(2) values a program may set: Linux, its 32-bit variant, UNAME26, and the query. */
const PERSONALITIES = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet: number;
  syscalls: {
    names: string[];
    action: string;
    errnoRet?: number;
    args?: { index: number; value: number; valueTwo: number; op: string }[];
  }[];
}

/** Builds the profile (JSON-ready, as Docker's `seccomp=` security option takes it). */
export function sandboxSeccompProfile(): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    syscalls: [
      {
        names: [...FILES, ...EVENTS, ...MEMORY, ...PROCESSES, ...SIGNALS, ...TIME, ...IPC],
        action: 'SCMP_ACT_ALLOW',
      },
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: CLONE_NEW_ANY, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
      // clone3 passes its flags in memory a filter cannot read: ENOSYS makes
      // the C library fall back to clone, which is checked above.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      {
        names: ['socket'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: AF_VSOCK, valueTwo: 0, op: 'SCMP_CMP_NE' }],
      },
      ...PERSONALITIES.map((value) => ({
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
      })),
    ],
  };
}

/** The profile as the text Docker's `seccomp=` security option takes. */
export const SANDBOX_SECCOMP = JSON.stringify(sandboxSeccompProfile());

/** `TANDEM_RUNNER_SECCOMP`'s value for Docker's own default profile instead of Tandem's. */
export const ENGINE_DEFAULT_SECCOMP = 'builtin';
