import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { decode, encode, messageName, travels } from './codec.js';
import { DEFAULT_SETTINGS } from '../rooms.js';
import { ErrorCode } from './errors.js';
import { ProtocolError } from './fields.js';
import {
  Direction,
  MessageType,
  OutputStream,
  PROTOCOL,
  RunMode,
  SyncStep,
  type Message,
  type MessageName,
  type TandemMessage,
} from './table.js';
import { seededRandom } from '../testing/random.js';

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
/** lib0 varString: varUint byte length (all lengths here are < 128, so one byte), then UTF-8. */
const str = (text: string): number[] => {
  const bytes = utf8(text);
  expect(bytes.length).toBeLessThan(128);
  return [bytes.length, ...bytes];
};

const MESSAGES: readonly TandemMessage[] = [
  { type: MessageType.Hello, protocolVersion: 1 },
  { type: MessageType.Hello, protocolVersion: 0 },
  { type: MessageType.Hello, protocolVersion: Number.MAX_SAFE_INTEGER },
  {
    type: MessageType.Welcome,
    protocolVersion: 1,
    roomId: 'r-123',
    userId: 'u_9',
    name: 'Zoë 😀',
    role: 'editor',
  },
  { type: MessageType.Welcome, protocolVersion: 1, roomId: '', userId: '', name: '', role: 'owner' },
  {
    type: MessageType.Welcome,
    protocolVersion: 7,
    roomId: 'x'.repeat(1024),
    userId: 'u',
    name: 'n',
    role: 'viewer',
  },
  { type: MessageType.SyncStatus, counter: 0 },
  { type: MessageType.SyncStatus, counter: 300 },
  { type: MessageType.SyncStatus, counter: 2 ** 40 },
  ...Object.values(ErrorCode).map(
    (code) => ({ type: MessageType.Error, code, message: `about ${code}` }) as const,
  ),
  { type: MessageType.Error, code: ErrorCode.Internal, message: '' },
  { type: MessageType.Ping, nonce: 0 },
  { type: MessageType.Ping, nonce: 2 ** 40 },
  { type: MessageType.Pong, nonce: 7 },
];

const DIRECTIONS = Object.values(Direction);

/** A direction `message` may travel (the first in the table). */
function wayOf(message: Message): Direction {
  return DIRECTIONS.find((direction) => travels(message.type, direction))!;
}

const peer = { peerId: 'p_1', userId: 'u1', name: 'Ann', role: 'editor' } as const;
const limits = {
  timeoutMs: 10_000,
  memoryBytes: 256 * 2 ** 20,
  pids: 64,
  cpuMillis: 1000,
  outputBytes: 2 ** 20,
  diskBytes: 2 ** 26,
};

/** At least one of every message in the table, the Tandem ones above included. */
const EVERY: readonly Message[] = [
  ...MESSAGES,
  { type: MessageType.Sync, step: SyncStep.Step1, payload: new Uint8Array([0]) },
  { type: MessageType.Sync, step: SyncStep.Step2, payload: new Uint8Array([0, 0]) },
  { type: MessageType.Sync, step: SyncStep.Update, payload: new Uint8Array(300).fill(7) },
  { type: MessageType.Awareness, update: new Uint8Array([1, 2, 3]) },
  { type: MessageType.Auth, kind: 0, reason: 'read-only' },
  { type: MessageType.QueryAwareness },
  { type: MessageType.PeerList, self: peer, peers: [] },
  { type: MessageType.PeerList, self: peer, peers: [{ ...peer, peerId: 'p_2', role: 'viewer' }, peer] },
  { type: MessageType.PeerJoined, peer },
  { type: MessageType.PeerLeft, peerId: 'p-2' },
  { type: MessageType.Signal, peer: 'p_2', data: '{"type":"offer","sdp":"v=0"}' },
  { type: MessageType.MediaControl, peer: 'p_2', mute: { audio: true, video: false } },
  { type: MessageType.MediaControl, peer: 'p_2', mute: { audio: false, video: false } },
  { type: MessageType.RunStart, runId: 'r1', language: 'python', entry: 'main.py', mode: RunMode.Batch },
  { type: MessageType.RunInput, runId: 'r1', bytes: new Uint8Array([104, 105]), eof: false },
  { type: MessageType.RunInput, runId: 'r1', bytes: new Uint8Array(), eof: true },
  { type: MessageType.RunStop, runId: 'r1' },
  {
    type: MessageType.RunStarted,
    runId: 'r1',
    language: 'javascript',
    entry: 'index.js',
    mode: RunMode.Terminal,
    userId: 'u1',
    name: 'Ann',
    startedAt: 1_800_000_000_000,
  },
  { type: MessageType.RunOutput, runId: 'r1', stream: OutputStream.Stderr, bytes: new Uint8Array([0xff]) },
  {
    type: MessageType.RunExit,
    runId: 'r1',
    code: 0,
    signal: '',
    reason: 'exited',
    durationMs: 12,
    message: '',
  },
  {
    type: MessageType.RunExit,
    runId: 'r1',
    code: null,
    signal: 'SIGKILL',
    reason: 'timeout',
    durationMs: 10_000,
    message: 'stopped after 10 s',
  },
  { type: MessageType.RunQueued, runId: 'r1', position: 3 },
  {
    type: MessageType.RunnerHello,
    protocolVersion: 1,
    runnerId: 'runner-1',
    capacity: 4,
    languages: ['python'],
  },
  {
    type: MessageType.RunnerJob,
    runId: 'r1',
    language: 'python',
    entry: 'main.py',
    mode: RunMode.Batch,
    limits,
    files: { 'main.py': 'print(1)\n', 'lib/a.py': '' },
    env: { API_KEY: 'x=y' },
  },
  { type: MessageType.RunnerStatus, languages: [], preparing: [] },
  {
    type: MessageType.RunnerStatus,
    languages: ['go'],
    preparing: [{ family: 'python', languages: ['python'], percent: 55, what: 'installing', problem: '' }],
  },
  {
    type: MessageType.RoomState,
    settings: { name: 'Room', ...DEFAULT_SETTINGS, editors: ['u1'] },
    canEdit: true,
    reason: null,
    notes: false,
    serverTime: 1_800_000_000_000,
  },
  { type: MessageType.ChatSend, text: 'hello 👋' },
  { type: MessageType.WorkspaceStart, restart: true },
  { type: MessageType.WorkspaceStop },
  {
    type: MessageType.WorkspaceStatus,
    state: 'running',
    reason: '',
    startedBy: { userId: 'u1', name: 'Ann' },
    startedAt: 1_800_000_000_000,
    memoryBytes: 12_345_678,
    memoryLimitBytes: 2 ** 30,
    cpuPermille: 125,
    shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 1_800_000_000_001 }],
    previews: [
      { port: 5173, previewId: 'abcdefghijklmnopqrst', origin: 'http://abcdefghijklmnopqrst.localhost:8081' },
    ],
    devServer: {
      shellId: 'dev1',
      command: 'npm run dev',
      startedBy: 'Ada',
      state: 'exited',
      code: 1,
      lastLines: 'Error: port in use',
    },
    notices: ['big.bin: larger than 1048576 bytes'],
  },
  { type: MessageType.ShellOpen, cols: 120, rows: 30 },
  { type: MessageType.ShellInput, shellId: 's1', bytes: new Uint8Array([108, 115, 13]) },
  { type: MessageType.ShellResize, shellId: 's1', cols: 80, rows: 24 },
  { type: MessageType.ShellClose, shellId: 's1' },
  { type: MessageType.ShellOutput, shellId: 's1', bytes: new Uint8Array([27, 91, 109]) },
  { type: MessageType.ShellExit, shellId: 's1', code: 0 },
  { type: MessageType.ShellExit, shellId: 's1', code: null },
  {
    type: MessageType.WorkspaceOpen,
    workspaceId: 'w1',
    limits: { memoryBytes: 2 ** 30, diskBytes: 2 ** 30, cpuMillis: 1000, pids: 512, fileMaxBytes: 2 ** 20 },
    skip: ['node_modules', '.git'],
  },
  { type: MessageType.WorkspaceClose, workspaceId: 'w1' },
  {
    type: MessageType.WorkspaceFiles,
    workspaceId: 'w1',
    ops: [
      { op: 'put', path: 'src/a.py', data: new Uint8Array([112]) },
      { op: 'del', path: 'old.txt', data: new Uint8Array() },
    ],
  },
  {
    type: MessageType.WorkspaceChanges,
    workspaceId: 'w1',
    changes: [
      { op: 'put', path: 'new.txt', data: new Uint8Array([120, 10]), base: '', why: '' },
      { op: 'del', path: 'gone.txt', data: new Uint8Array(), base: 'ab'.repeat(32), why: '' },
      { op: 'refused', path: 'link', data: new Uint8Array(), base: '', why: 'symbolic links are not synced' },
    ],
  },
  {
    type: MessageType.WorkspaceState,
    workspaceId: 'w1',
    state: 'running',
    reason: '',
    memoryBytes: 1,
    cpuPermille: 2,
  },
  { type: MessageType.RunnerShellOpen, workspaceId: 'w1', shellId: 's1', cols: 80, rows: 24 },
  { type: MessageType.RunnerWorkspaces, capacity: 4 },
  { type: MessageType.WorkspacePorts, workspaceId: 'ws1', ports: [3000, 5173] },
  {
    type: MessageType.PreviewOpen,
    workspaceId: 'ws1',
    streamId: 7,
    port: 5173,
    method: 'GET',
    target: '/src/App.jsx?t=1',
    headers: [{ name: 'Accept', value: 'text/html' }],
    upgrade: false,
  },
  {
    type: MessageType.PreviewHead,
    streamId: 7,
    status: 200,
    headers: [{ name: 'Content-Type', value: 'text/html' }],
  },
  { type: MessageType.PreviewData, streamId: 7, bytes: new Uint8Array([60, 104, 49, 62]) },
  { type: MessageType.PreviewEnd, streamId: 7 },
  { type: MessageType.PreviewAbort, streamId: 7, reason: 'the browser went away' },
  { type: MessageType.PreviewCredit, streamId: 7, bytes: 65536 },
  { type: MessageType.DevServerStart, command: 'npm run dev' },
  { type: MessageType.DevServerStop },
  { type: MessageType.Forked, userId: 'u1', name: 'Bob', atSeq: 0 },
  {
    type: MessageType.Restored,
    userId: 'u1',
    name: 'Bob',
    restoredTo: 12,
    created: 1,
    deleted: 2,
    changed: 3,
  },
  {
    type: MessageType.RunnerCommandOpen,
    workspaceId: 'ws1',
    shellId: 'dev1',
    cols: 120,
    rows: 30,
    command: 'npm run dev',
  },
  {
    type: MessageType.LspRequest,
    requestId: 7,
    language: 'python',
    method: 'completion',
    path: 'lib/shapes.py',
    text: 'import os\nos.pa',
    line: 1,
    character: 5,
  },
  {
    type: MessageType.RunnerLspRequest,
    workspaceId: 'ws1',
    requestId: 42,
    language: 'cpp',
    method: 'hover',
    path: 'main.cpp',
    text: 'int main() {}\n',
    line: 0,
    character: 4,
  },
  {
    type: MessageType.LspAnswer,
    requestId: 7,
    status: 'ok',
    message: '',
    result: '{"isIncomplete":false,"items":[]}',
  },
  {
    type: MessageType.RunnerLspDiagnostics,
    workspaceId: 'ws1',
    language: 'python',
    path: 'main.py',
    diagnostics: [
      {
        range: { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } },
        severity: 1,
        message: 'invalid syntax',
        source: 'pyflakes',
      },
    ],
  },
  { type: MessageType.LspDiagnostics, language: 'c', path: 'main.c', diagnostics: [] },
];

/** Encodes a raw frame from parts: numbers as varUint, strings as varString. */
function frame(...parts: (number | string)[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const part of parts) {
    if (typeof part === 'number') encoding.writeVarUint(encoder, part);
    else encoding.writeVarString(encoder, part);
  }
  return encoding.toUint8Array(encoder);
}

describe('message codec: round trip', () => {
  it('has a sample of every message in the table', () => {
    const sampled = new Set(EVERY.map((message) => messageName(message.type)));
    expect([...sampled].sort()).toEqual(Object.keys(PROTOCOL).sort());
  });

  it.each(EVERY.map((m) => [messageName(m.type), m] as const))('%s round-trips', (_name, message) => {
    expect(decode(wayOf(message), encode(message))).toEqual(message);
  });

  it('refuses a message from a way it does not travel', () => {
    for (const message of EVERY) {
      for (const direction of DIRECTIONS) {
        if (travels(message.type, direction)) continue;
        expect(() => decode(direction, encode(message))).toThrow(/does not travel/);
      }
    }
    // The cases that matter most: a client posing as the relay or a runner.
    expect(travels(MessageType.Welcome, Direction.ClientToRelay)).toBe(false);
    expect(travels(MessageType.RunOutput, Direction.ClientToRelay)).toBe(false);
    expect(travels(MessageType.RunnerJob, Direction.RunnerToRelay)).toBe(false);
    expect(travels(MessageType.RoomState, Direction.ClientToRelay)).toBe(false);
  });

  it('every message travels at least one way, and numbers are unique', () => {
    const names = Object.keys(PROTOCOL) as MessageName[];
    for (const name of names) expect(PROTOCOL[name].travels.length).toBeGreaterThan(0);
    expect(new Set(names.map((name) => PROTOCOL[name].type)).size).toBe(names.length);
  });
});

describe('Tandem message codec: golden bytes', () => {
  it('hello v1', () => {
    expect(encode({ type: MessageType.Hello, protocolVersion: 1 })).toEqual(new Uint8Array([100, 1]));
  });

  it('hello with a multi-byte varUint version', () => {
    // 300 = 0b10_0101100 -> low 7 bits with the continuation bit, then 2.
    expect(encode({ type: MessageType.Hello, protocolVersion: 300 })).toEqual(
      new Uint8Array([100, 0xac, 0x02]),
    );
  });

  it('welcome', () => {
    const bytes = encode({
      type: MessageType.Welcome,
      protocolVersion: 1,
      roomId: 'r1',
      userId: 'u',
      name: 'Zoë',
      role: 'editor',
    });
    expect(bytes).toEqual(
      new Uint8Array([
        101,
        1,
        2,
        0x72,
        0x31, // "r1"
        1,
        0x75, // "u"
        4,
        0x5a,
        0x6f,
        0xc3,
        0xab, // "Zoë": ë is two UTF-8 bytes
        6,
        0x65,
        0x64,
        0x69,
        0x74,
        0x6f,
        0x72, // "editor"
      ]),
    );
    expect(bytes).toEqual(
      new Uint8Array([101, 1, ...str('r1'), ...str('u'), ...str('Zoë'), ...str('editor')]),
    );
  });

  it('sync-status', () => {
    expect(encode({ type: MessageType.SyncStatus, counter: 0 })).toEqual(new Uint8Array([102, 0]));
    expect(encode({ type: MessageType.SyncStatus, counter: 128 })).toEqual(new Uint8Array([102, 0x80, 0x01]));
  });

  it('mediaControl packs its mutes as bits', () => {
    expect(
      encode({ type: MessageType.MediaControl, peer: 'p', mute: { audio: false, video: true } }),
    ).toEqual(new Uint8Array([114, ...str('p'), 2]));
  });

  it('runExit writes an exit code as code + 1, 0 for none', () => {
    const exit = {
      type: MessageType.RunExit,
      runId: 'r',
      signal: '',
      reason: 'exited',
      durationMs: 1,
      message: '',
    } as const;
    expect(encode({ ...exit, code: 0 })).toEqual(
      new Uint8Array([125, ...str('r'), 1, 0, ...str('exited'), 1, 0]),
    );
    expect(encode({ ...exit, code: null })).toEqual(
      new Uint8Array([125, ...str('r'), 0, 0, ...str('exited'), 1, 0]),
    );
  });

  it('error', () => {
    expect(encode({ type: MessageType.Error, code: ErrorCode.RoomFull, message: 'full' })).toEqual(
      new Uint8Array([103, 9, ...utf8('room_full'), 4, 0x66, 0x75, 0x6c, 0x6c]),
    );
  });

  it('decodes hand-written bytes', () => {
    expect(decodeTandem(new Uint8Array([100, 1]))).toEqual({ type: 100, protocolVersion: 1 });
    expect(decodeTandem(new Uint8Array([102, 0xff, 0x01]))).toEqual({ type: 102, counter: 255 });
    expect(decodeTandem(new Uint8Array([103, ...str('read_only'), ...str('')]))).toEqual({
      type: 103,
      code: 'read_only',
      message: '',
    });
  });
});

describe('message codec: hostile input', () => {
  const refuses = (bytes: Uint8Array) => expect(() => decodeTandem(bytes)).toThrow(ProtocolError);

  it('refuses empty input', () => {
    refuses(new Uint8Array([]));
  });

  it('refuses every strict prefix of every message', () => {
    for (const message of EVERY) {
      const bytes = encode(message);
      for (let length = 0; length < bytes.length; length++) {
        expect(() => decode(wayOf(message), bytes.subarray(0, length))).toThrow(ProtocolError);
      }
    }
  });

  it('refuses trailing bytes', () => {
    for (const message of EVERY) {
      const bytes = encode(message);
      expect(() => decode(wayOf(message), new Uint8Array([...bytes, 0]))).toThrow(ProtocolError);
      expect(() => decode(wayOf(message), new Uint8Array([...bytes, ...bytes]))).toThrow(ProtocolError);
    }
  });

  it('refuses unknown enumerations and flags in the run and peer families', () => {
    const toRelay = (bytes: Uint8Array) =>
      expect(() => decode(Direction.ClientToRelay, bytes)).toThrow(ProtocolError);
    toRelay(frame(MessageType.RunStart, 'r1', 'cobol', 'main.cob', 0));
    toRelay(frame(MessageType.RunStart, 'r1', 'python', 'main.py', 2));
    toRelay(frame(MessageType.RunStart, 'bad id!', 'python', 'main.py', 0));
    toRelay(frame(MessageType.MediaControl, 'p', 4));
    toRelay(frame(MessageType.Signal, 'p', 'not json'));
    toRelay(frame(MessageType.Sync, 3, 0));
    expect(() => decode(Direction.RunnerToRelay, frame(MessageType.RunOutput, 'r1', 3, 0))).toThrow(
      ProtocolError,
    );
    expect(() =>
      decode(Direction.RunnerToRelay, frame(MessageType.RunExit, 'r1', 0, '', 'vanished', 0, '')),
    ).toThrow(ProtocolError);
  });

  it('refuses a list count larger than the bytes that follow', () => {
    expect(() =>
      decode(Direction.RelayToClient, frame(MessageType.PeerList, 'p', 'u', 'n', 'owner', 100_000)),
    ).toThrow(ProtocolError);
    expect(() => decode(Direction.RelayToRunner, frame(MessageType.RunnerStatus, 5))).toThrow(ProtocolError);
  });

  it('refuses a runner job with a file named twice', () => {
    const job = frame(
      MessageType.RunnerJob,
      'r',
      'python',
      'a',
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      2,
      'a',
      'x',
      'a',
      'y',
      0,
    );
    expect(() => decode(Direction.RelayToRunner, job)).toThrow(/duplicate/);
  });

  it('refuses an unknown role', () => {
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', 'admin'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', 'Owner'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', ''));
  });

  it('refuses an unknown error code', () => {
    refuses(frame(MessageType.Error, 'teapot', 'short and stout'));
    refuses(frame(MessageType.Error, 'ROOM_FULL', 'x'));
  });

  it('refuses strings over 1024 characters', () => {
    refuses(frame(MessageType.Welcome, 1, 'r'.repeat(1025), 'u', 'n', 'owner'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n'.repeat(5000), 'owner'));
    refuses(frame(MessageType.Error, ErrorCode.Internal, 'm'.repeat(1025)));
    expect(decodeTandem(frame(MessageType.Error, ErrorCode.Internal, 'm'.repeat(1024)))).toMatchObject({
      message: 'm'.repeat(1024),
    });
  });

  it('refuses a string length that runs past the end', () => {
    refuses(new Uint8Array([103, 0xff, 0xff, 0xff, 0x7f, 0x61]));
    refuses(new Uint8Array([101, 1, 5, 0x61]));
  });

  it('refuses integers that are not safe', () => {
    // 2^53 as a varUint: eight 7-bit groups of zeros with continuation, then 0b10000.
    refuses(new Uint8Array([100, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]));
    refuses(new Uint8Array([102, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  });

  it('refuses unknown types', () => {
    const known = new Set<number>(Object.values(MessageType));
    const unknown = [...Array.from({ length: 300 }, (_, type) => type), 1000].filter(
      (type) => !known.has(type),
    );
    expect(unknown.length).toBeGreaterThan(200);
    for (const type of unknown) {
      for (const direction of DIRECTIONS) {
        expect(travels(type, direction)).toBe(false);
        expect(() => decode(direction, frame(type, 1))).toThrow(/unknown message type/);
      }
    }
  });

  it('refuses a truncated varUint type', () => {
    refuses(new Uint8Array([0x80]));
  });

  it('never throws anything but ProtocolError on random bytes', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 24));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      // Start most frames with a known type so the bodies get exercised.
      if (bytes.length > 0 && random() < 0.8) bytes[0] = TYPES[Math.floor(random() * TYPES.length)]!;
      const direction = DIRECTIONS[Math.floor(random() * DIRECTIONS.length)]!;
      try {
        // Accepted: then it is a well-formed message (bytes need not be canonical varints or UTF-8).
        const message = decode(direction, bytes);
        expect(decode(direction, encode(message))).toEqual(message);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

const TYPES = Object.values(MessageType);

/** Decodes a frame a client could receive or send (the Tandem session messages travel both ways). */
function decodeTandem(bytes: Uint8Array): Message {
  const type = bytes[0];
  const direction = type === MessageType.Hello ? Direction.ClientToRelay : Direction.RelayToClient;
  return decode(direction, bytes);
}
