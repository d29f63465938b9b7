# The file agent of a Tandem workspace. The runner starts it inside the room's
# container (`python3 -c <this file>`, as the sandbox user, no network) and
# talks to it over stdin and stdout, one JSON object per line.
#
# runner -> agent
#   {"op": "config", "root": "/work/project", "skip": [names], "maxBytes": n,
#    "previews": "/run/tandem" | null,
#    "registries": [{"port": n, "socket": name}, ...]}
#   {"op": "put", "path": p, "data": base64}   write, unless the disk changed since
#   {"op": "del", "path": p}                   the agent last saw it (then it reports
#                                              the disk's version instead)
# agent -> runner
#   {"ev": "ready"}                            after config and the first scan
#   {"ev": "put", "path": p, "data": base64, "base": hash | null}
#   {"ev": "del", "path": p, "base": hash}
#   {"ev": "refused", "path": p, "why": text}  a symlink, FIFO, device or a file over maxBytes
#   {"ev": "ports", "ports": [n, ...]}         after every change of the listening ports
#
# `base` is the hash (sha256, hex) of the version both sides last agreed on, so
# the relay can merge a shell's change into edits typed meanwhile. Every path is
# relative to root and opened one component at a time with O_NOFOLLOW: a
# symlink is never followed, whatever it points at, and nothing but regular
# files and directories is ever opened. The agent's own writes are recognised
# by their hash and never reported back.
#
# Previews: the agent reads /proc/net/tcp and tcp6 twice a second for ports
# that programs of its own user listen on (the dev server), and for each one
# starts socat joining the unix socket <previews>/<port>.sock (a folder the
# runner mounts) to that loopback port: the runner's only way in, since the
# container has no network. For each of `registries`, socat also joins that
# loopback port to <previews>/<socket>, where the runner's registry proxies
# answer npm and pip (those ports are not previews).
import base64
import ctypes
import hashlib
import json
import os
import select
import signal
import stat
import struct
import subprocess
import sys
import time

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_ISDIR = 0x40000000
WATCH_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
              | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
QUIET_S = 0.04
MAX_WAIT_S = 0.25
PORT_SCAN_S = 0.5
# A forwarder just started: look again this soon for its socket.
PORT_RESCAN_S = 0.02
# Writes of one file are at least this far apart, the last one always made:
# file watchers (chokidar, in Vite and webpack) drop a change that follows
# another of the same file within 50 ms, which lost the last keystrokes of a
# burst of typing in a dev server's hot reload (the editor and the disk had
# them, the page did not). Existing files are also written in place (below).
WRITE_GAP_S = 0.07
# And a file written in a burst is written once more, unchanged, this long
# after its last write: a watcher that still folded two changes into one (its
# stat ran late, under load) sees the final text.
SETTLE_S = 0.3
TCP_LISTEN = '0A'
PORTS_MAX = 64

root = '/work/project'
skip = set()
max_bytes = 1 << 20
known = {}  # path -> hash of the version both sides agree on
refused = {}  # path -> why, reported once until it changes
dirty = set()
watches = {}  # wd -> directory path ('' is root)
previews = None  # the folder of preview sockets, or None: no previews
registry_ports = set()  # npm's and pip's ports (the runner's proxies), never previews
forwarders = {}  # port -> socat process
announced = []  # ports reported, each with its socket in place
last_write = {}  # path -> when the agent last wrote it (monotonic)
deferred = {}  # path -> (when, put command): a write waiting for WRITE_GAP_S
settling = {}  # path -> when to write it once more, unchanged (after a burst)
libc = ctypes.CDLL(None, use_errno=True)
inotify = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
out = sys.stdout.buffer


def send(message):
    out.write(json.dumps(message, separators=(',', ':')).encode() + b'\n')
    out.flush()


def digest(data):
    return hashlib.sha256(data).hexdigest()


def parts_of(path):
    parts = path.split('/')
    if not path or path.startswith('/') or any(p in ('', '.', '..') for p in parts):
        raise ValueError('not a project path: %r' % path)
    return parts


def open_parent(parts, create):
    """A descriptor of the directory holding parts[-1], walked without following links."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for name in parts[:-1]:
            try:
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(name, 0o755, dir_fd=fd)
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_disk(path):
    """('file', bytes) | ('absent', None) | ('dir', None) | ('refused', why)."""
    try:
        parts = parts_of(path)
        parent = open_parent(parts, False)
    except (FileNotFoundError, NotADirectoryError):
        return ('absent', None)
    except OSError as error:  # a parent is a symlink (ELOOP) or unreadable
        return ('refused', 'a folder on its path is not a plain folder (%s)' % error.strerror)
    try:
        try:
            info = os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            return ('absent', None)
        if stat.S_ISDIR(info.st_mode):
            return ('dir', None)
        if stat.S_ISLNK(info.st_mode):
            return ('refused', 'symbolic links are not synced')
        if not stat.S_ISREG(info.st_mode):
            return ('refused', 'only plain files are synced (not FIFOs, sockets or devices)')
        if info.st_size > max_bytes:
            return ('refused', 'larger than %d bytes' % max_bytes)
        fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=parent)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return ('refused', 'only plain files are synced')
            chunks = []
            size = 0
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    return ('refused', 'larger than %d bytes' % max_bytes)
                chunks.append(chunk)
            return ('file', b''.join(chunks))
        finally:
            os.close(fd)
    except OSError as error:
        return ('refused', error.strerror or 'cannot be read')
    finally:
        os.close(parent)


def write_disk(path, data, existing):
    parts = parts_of(path)
    parent = open_parent(parts, True)
    try:
        if existing:
            # In place, as editors save: a file watcher keeps watching the same
            # file (one replaced by a rename must be watched again, and a dev
            # server's watcher can miss the next change meanwhile).
            fd = os.open(parts[-1], os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=parent)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError(0, 'not a regular file')
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            return
        temp = '.%s.tandem-%d' % (parts[-1][:200], os.getpid())
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=parent)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.rename(temp, parts[-1], src_dir_fd=parent, dst_dir_fd=parent)
    finally:
        os.close(parent)


def delete_disk(path):
    parts = parts_of(path)
    try:
        parent = open_parent(parts, False)
    except FileNotFoundError:
        return
    try:
        os.unlink(parts[-1], dir_fd=parent)
    except FileNotFoundError:
        pass
    finally:
        os.close(parent)
    # Folders the delete left empty go too, as in the editor's tree.
    while len(parts) > 1:
        parts = parts[:-1]
        try:
            os.rmdir(os.path.join(root, *parts))
        except OSError:
            break


def skipped(path):
    return any(part in skip for part in path.split('/'))


def watch_tree(path):
    """Watches a folder and everything under it; marks every file in it dirty."""
    if path and skipped(path):
        return
    full = os.path.join(root, path) if path else root
    wd = libc.inotify_add_watch(inotify, full.encode(), WATCH_MASK)
    if wd < 0:
        return
    watches[wd] = path
    try:
        entries = list(os.scandir(full))
    except OSError:
        return
    for entry in entries:
        child = entry.name if not path else path + '/' + entry.name
        if entry.is_dir(follow_symlinks=False):
            watch_tree(child)
        elif not skipped(child):
            dirty.add(child)


def settle(path):
    """Compares one path with what both sides agree on and reports the difference."""
    kind, value = read_disk(path)
    if kind == 'dir':
        watch_tree(path)
        return
    if kind == 'refused':
        if refused.get(path) != value:
            refused[path] = value
            send({'ev': 'refused', 'path': path, 'why': value})
        if path in known:
            send({'ev': 'del', 'path': path, 'base': known.pop(path)})
        return
    refused.pop(path, None)
    if kind == 'absent':
        # A file, or a whole folder of them.
        prefix = path + '/'
        for gone in [p for p in known if p == path or p.startswith(prefix)]:
            send({'ev': 'del', 'path': gone, 'base': known.pop(gone)})
        return
    hashed = digest(value)
    if known.get(path) == hashed:
        return
    send({'ev': 'put', 'path': path, 'data': base64.b64encode(value).decode(), 'base': known.get(path)})
    known[path] = hashed


def listening_ports():
    """Port -> socat's address for it, for TCP ports our user listens on."""
    uid = os.getuid()
    found = {}
    for table, loopback in (('/proc/net/tcp6', 'TCP6:[::1]'), ('/proc/net/tcp', 'TCP4:127.0.0.1')):
        try:
            with open(table) as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) < 8 or fields[3] != TCP_LISTEN or int(fields[7]) != uid:
                        continue
                    address, port_hex = fields[1].rsplit(':', 1)
                    if int(port_hex, 16) in registry_ports:
                        continue
                    # A v6 socket bound to a v4 address (::ffff:127.0.0.1) takes v4 clients.
                    v4_mapped = len(address) == 32 and address[8:24] == '0000FFFF00000000'
                    found[int(port_hex, 16)] = 'TCP4:127.0.0.1' if v4_mapped else loopback
        except OSError:
            continue
    return found


def scan_ports():
    """Starts and stops forwarders; True while one has no socket yet (look again soon)."""
    global announced
    ports = listening_ports()
    for port in [p for p in forwarders if p not in ports]:
        stop_forwarder(port)
    for port, target in sorted(ports.items()):
        if port in forwarders or len(forwarders) >= PORTS_MAX:
            continue
        forwarders[port] = subprocess.Popen(
            ['socat', 'UNIX-LISTEN:%s,fork,unlink-early,mode=666' % socket_of(port), '%s:%d' % (target, port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
    for port, process in list(forwarders.items()):
        if process.poll() is not None:  # socat died: start again on the next scan
            stop_forwarder(port)
    # A port is announced once its socket is there: a request before would find nothing.
    ready = sorted(p for p in forwarders if os.path.exists(socket_of(p)))
    if ready != announced:
        announced = ready
        send({'ev': 'ports', 'ports': ready})
    return len(ready) < len(forwarders)


def socket_of(port):
    return '%s/%d.sock' % (previews, port)


def stop_forwarder(port):
    process = forwarders.pop(port)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(1)
        except subprocess.TimeoutExpired:
            process.kill()
    try:
        os.unlink(socket_of(port))
    except OSError:
        pass


def start_registry(port, socket_name):
    registry_ports.add(port)
    subprocess.Popen(
        ['socat', 'TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork' % port,
         'UNIX-CONNECT:%s/%s' % (previews, socket_name)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)


def on_command(message):
    global root, max_bytes, previews
    op = message.get('op')
    if op == 'config':
        root = message['root']
        skip.update(message.get('skip', []))
        max_bytes = int(message.get('maxBytes', max_bytes))
        previews = message.get('previews')
        for registry in message.get('registries', []) if previews else []:
            start_registry(int(registry['port']), os.path.basename(registry['socket']))
        os.makedirs(root, exist_ok=True)
        watch_tree('')
        flush()
        send({'ev': 'ready'})
        return
    path = message.get('path', '')
    if op == 'put' and (path in deferred or time.monotonic() - last_write.get(path, -WRITE_GAP_S) < WRITE_GAP_S):
        deferred[path] = (last_write[path] + WRITE_GAP_S, message)
        return
    deferred.pop(path, None)
    if op == 'del':
        settling.pop(path, None)
    apply_command(op, path, message)


def apply_due():
    now = time.monotonic()
    for path, (when, message) in list(deferred.items()):
        if when <= now:
            del deferred[path]
            apply_command('put', path, message)
            settling[path] = time.monotonic() + SETTLE_S
    for path, when in list(settling.items()):
        if when <= now and path not in deferred:
            del settling[path]
            kind, value = read_disk(path)
            if kind == 'file' and digest(value) == known.get(path):
                try:
                    write_disk(path, value, True)
                except OSError:
                    pass


def apply_command(op, path, message):
    try:
        parts_of(path)
    except ValueError:
        send({'ev': 'refused', 'path': path, 'why': 'not a project path'})
        return
    kind, value = read_disk(path)
    current = digest(value) if kind == 'file' else None
    if current != known.get(path):
        # Changed in the container and not reported yet: the disk wins this round,
        # and its version goes to the relay, which merges.
        dirty.add(path)
        return
    try:
        if op == 'put':
            data = base64.b64decode(message['data'])
            if kind in ('dir', 'refused'):
                send({'ev': 'refused', 'path': path, 'why': 'the container has something else there'})
                return
            write_disk(path, data, kind == 'file')
            known[path] = digest(data)
            last_write[path] = time.monotonic()
        elif op == 'del':
            if kind == 'file':
                delete_disk(path)
            known.pop(path, None)
            last_write.pop(path, None)
    except OSError as error:
        send({'ev': 'refused', 'path': path, 'why': error.strerror or 'cannot be written'})


def read_events():
    try:
        buffer = os.read(inotify, 65536)
    except BlockingIOError:
        return
    offset = 0
    while offset < len(buffer):
        wd, mask, _cookie, length = struct.unpack_from('iIII', buffer, offset)
        name = buffer[offset + 16:offset + 16 + length].rstrip(b'\0').decode('utf-8', 'surrogateescape')
        offset += 16 + length
        if mask & IN_Q_OVERFLOW:
            rescan()
            continue
        if mask & IN_IGNORED:
            watches.pop(wd, None)
            continue
        folder = watches.get(wd)
        if folder is None or not name:
            continue
        path = name if not folder else folder + '/' + name
        if not skipped(path):
            dirty.add(path)


def rescan():
    for wd in list(watches):
        libc.inotify_rm_watch(inotify, wd)
    watches.clear()
    dirty.update(known)
    watch_tree('')


def flush():
    while dirty:
        for path in sorted(dirty):
            dirty.discard(path)
            settle(path)


def main():
    stdin = sys.stdin.buffer.raw
    pending = b''
    first_dirty = None
    last_event = 0.0
    next_scan = 0.0
    while True:
        now = time.monotonic()
        if previews and now >= next_scan:
            next_scan = now + (PORT_RESCAN_S if scan_ports() else PORT_SCAN_S)
        apply_due()
        timeout = max(0.0, next_scan - now) if previews else None
        if deferred or settling:
            dues = [when for when, _ in deferred.values()] + list(settling.values())
            soonest = max(0.0, min(dues) - now)
            timeout = soonest if timeout is None else min(timeout, soonest)
        if dirty:
            due = max(0.0, min(last_event + QUIET_S, first_dirty + MAX_WAIT_S) - now)
            timeout = due if timeout is None else min(timeout, due)
        readable, _, _ = select.select([stdin, inotify], [], [], timeout)
        if inotify in readable:
            read_events()
            last_event = time.monotonic()
            if dirty and first_dirty is None:
                first_dirty = last_event
        if stdin in readable:
            chunk = os.read(stdin.fileno(), 1 << 20)
            if not chunk:
                return
            pending += chunk
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                if line.strip():
                    on_command(json.loads(line))
            if dirty and first_dirty is None:
                first_dirty = last_event = time.monotonic()
        if dirty:
            now = time.monotonic()
            if now - last_event >= QUIET_S or now - first_dirty >= MAX_WAIT_S:
                flush()
                first_dirty = None
        else:
            first_dirty = None


main()
