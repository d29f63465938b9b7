/**
 * Every message on a Tandem socket, in one table: its number, the ways it may
 * travel and its fields in wire order. Codecs (codec.ts), type guards, the
 * message types, the unions each receiver switches on, and PROTOCOL.md's
 * grammar all come from here; a new message is a row here and a handler where
 * it arrives. Never renumber a type: add one.
 *
 * 0 to 3 are y-protocols' (sync, awareness, auth, query-awareness) and keep
 * their standard meaning, so the official y-websocket client and every Yjs tool
 * can talk to the relay. Tandem's own start at 100: 100-109 session, 110-119
 * WebRTC signaling, 120-139 runs, 140-159 rooms, 160-189 workspaces, their previews and their
 * shells. The relay sends them only to a connection that said `hello`.
 */
import { LANGUAGE_IDS } from '../languages.js';
import {
  LSP_LANGUAGES,
  LSP_METHODS,
  LSP_RESULT_MAX_CHARS,
  LSP_STATUSES,
  LSP_TEXT_MAX_CHARS,
} from '../lsp/protocol.js';
import { parseLspDiagnostics, parseRunnerLspDiagnostics } from '../lsp/results.js';
import { ROLES } from '../roles.js';
import { CHAT_TEXT_MAX_CHARS } from '../schema/project.js';
import { ERROR_CODES } from './errors.js';
import {
  bits,
  bytes,
  flag,
  jsonText,
  list,
  oneOf,
  oneOfNumbers,
  optionalCode,
  pattern,
  stringRecord,
  struct,
  text,
  uint,
  type Field,
  type FieldValue,
} from './fields.js';
import { parseRoomStatePayload, type RoomStatePayload } from './roomStatePayload.js';
import { parseWorkspacePayload, type WorkspacePayload } from './workspacePayload.js';

/** Version of Tandem's own messages (100+). A mismatch in `hello` closes the socket. */
export const PROTOCOL_VERSION = 1;

export const Direction = {
  ClientToRelay: 'client -> relay',
  RelayToClient: 'relay -> client',
  RelayToRunner: 'relay -> runner',
  RunnerToRelay: 'runner -> relay',
} as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

const { ClientToRelay: C2R, RelayToClient: R2C, RelayToRunner: R2N, RunnerToRelay: N2R } = Direction;

/** Sub-types of a y-protocols sync message. */
export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;
export type SyncStep = (typeof SyncStep)[keyof typeof SyncStep];

export const RunMode = { Batch: 0, Terminal: 1 } as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** A run's output streams; Input is the stdin someone typed, echoed by the relay to everyone. */
export const OutputStream = { Stdout: 0, Stderr: 1, Input: 2 } as const;
export type OutputStream = (typeof OutputStream)[keyof typeof OutputStream];

export const EXIT_REASONS = ['exited', 'timeout', 'memory', 'output-limit', 'killed', 'error'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** SDP offers with many candidates stay well below this. */
export const SIGNAL_MAX_CHARS = 64 * 1024;
const SHORT = 256;
const LONG = 1024;
const PEERS_MAX = 10_000;
const LANGUAGES_MAX = 64;
/** File operations in one frame between relay and runner; a bigger batch is split. */
export const FILE_OPS_MAX = 4096;
const PATH_CHARS_MAX = 4096;
/** A preview request's headers: as many and as long as Node's HTTP parser lets in (16 KiB in all). */
const PREVIEW_HEADERS_MAX = 256;
const PREVIEW_HEADER_CHARS_MAX = 16 * 1024;
/** A dev server's command line. */
export const DEV_COMMAND_CHARS_MAX = 1024;

const role = oneOf(ROLES, 'role');
const language = oneOf(LANGUAGE_IDS, 'language');
const runId = pattern(RUN_ID_PATTERN, 'runId');
const peerId = pattern(PEER_ID_PATTERN, 'peerId');
const mode = oneOfNumbers(RunMode, 'mode');
const peer = struct('peer', { peerId, userId: text(SHORT), name: text(SHORT), role });
const languages = list(language, LANGUAGES_MAX, 'varString(language)');
/** A sandbox image a runner lacks and builds: the languages it will serve, how far it is, or why it cannot. */
const imageBuild = struct('imageBuild', {
  family: text(SHORT),
  languages,
  percent: uint,
  what: text(SHORT),
  /** Why it cannot be built on that runner, with the fix; empty while it can. */
  problem: text(LONG),
});
const IMAGE_BUILDS_MAX = 16;
const workspaceId = pattern(RUN_ID_PATTERN, 'workspaceId');
const shellId = pattern(RUN_ID_PATTERN, 'shellId');
const FileOp = { Put: 'put', Delete: 'del' } as const;
const fileOp = struct('fileOp', {
  op: oneOf(Object.values(FileOp), 'fileOpKind'),
  path: text(PATH_CHARS_MAX),
  data: bytes,
});
const fileChange = struct('fileChange', {
  op: oneOf(['put', 'del', 'refused'] as const, 'fileChangeKind'),
  path: text(PATH_CHARS_MAX),
  data: bytes,
  /** sha256 (hex) of the version both sides last agreed on; '' for a new file. */
  base: text(64),
  why: text(LONG),
});
const workspaceLimits = struct('workspaceLimits', {
  memoryBytes: uint,
  diskBytes: uint,
  cpuMillis: uint,
  pids: uint,
  fileMaxBytes: uint,
});
const port = uint;
const streamId = uint;
const header = struct('header', { name: text(SHORT), value: text(PREVIEW_HEADER_CHARS_MAX) });
const headers = list(header, PREVIEW_HEADERS_MAX, 'header');
const limits = struct('limits', {
  timeoutMs: uint,
  memoryBytes: uint,
  pids: uint,
  cpuMillis: uint,
  outputBytes: uint,
  diskBytes: uint,
});

interface MessageSpec {
  type: number;
  /** The ways it may travel; a receiver refuses it from anywhere else. */
  travels: readonly Direction[];
  /** The body, field by field in wire order. */
  fields?: Readonly<Record<string, Pick<Field<unknown>, 'grammar'>>>;
  /** Instead of fields: the body is one varString of JSON, validated by this. */
  json?: (value: unknown) => object;
  /** One line for PROTOCOL.md. */
  about: string;
}

export const PROTOCOL = {
  Sync: {
    type: 0,
    travels: [C2R, R2C],
    fields: {
      step: oneOfNumbers(SyncStep, 'syncStep'),
      payload: bytes,
    },
    about: 'y-protocols sync: step 1 (payload: state vector), step 2 and update (payload: Yjs v1 update)',
  },
  Awareness: {
    type: 1,
    travels: [C2R, R2C],
    fields: { update: bytes },
    about: 'y-protocols awareness update',
  },
  Auth: {
    type: 2,
    travels: [R2C],
    fields: { kind: uint, reason: text(LONG) },
    about: 'y-protocols auth: kind 0 is "permission denied", with a reason',
  },
  QueryAwareness: {
    type: 3,
    travels: [C2R],
    fields: {},
    about: 'y-protocols query-awareness: send every known awareness state',
  },
  Hello: {
    type: 100,
    travels: [C2R],
    fields: { protocolVersion: uint },
    about: 'the client speaks Tandem; the relay answers welcome',
  },
  Welcome: {
    type: 101,
    travels: [R2C],
    fields: { protocolVersion: uint, roomId: text(LONG), userId: text(LONG), name: text(LONG), role },
    about: 'protocol version and who the token says you are',
  },
  SyncStatus: {
    type: 102,
    travels: [C2R, R2C],
    fields: { counter: uint },
    about: 'echoed once every earlier update of this connection is stored',
  },
  Error: {
    type: 103,
    travels: [R2C],
    fields: { code: oneOf(ERROR_CODES, 'errorCode'), message: text(LONG) },
    about: 'a typed error that did not need to close the socket',
  },
  Ping: {
    type: 104,
    travels: [C2R],
    fields: { nonce: uint },
    about: 'keepalive and round-trip probe, after hello; answered with pong at once',
  },
  Pong: {
    type: 105,
    travels: [R2C],
    fields: { nonce: uint },
    about: 'the answer to ping, with its nonce',
  },
  PeerList: {
    type: 110,
    travels: [R2C],
    fields: { self: peer, peers: list(peer, PEERS_MAX, 'peer') },
    about: 'after hello: your peer id and the room’s other peers',
  },
  PeerJoined: {
    type: 111,
    travels: [R2C],
    fields: { peer },
    about: 'a connection said hello',
  },
  PeerLeft: {
    type: 112,
    travels: [R2C],
    fields: { peerId },
    about: 'a connection left',
  },
  Signal: {
    type: 113,
    travels: [C2R, R2C],
    fields: { peer: peerId, data: jsonText(SIGNAL_MAX_CHARS) },
    about: 'a WebRTC signal: to the relay, peer is the target; from it, the sender',
  },
  MediaControl: {
    type: 114,
    travels: [C2R, R2C],
    fields: { peer: peerId, mute: bits(['audio', 'video'] as const) },
    about: 'the owner mutes a participant’s outgoing audio/video for the room',
  },
  RunStart: {
    type: 120,
    travels: [C2R],
    fields: { runId, language, entry: text(SHORT), mode },
    about: 'start a run of the room’s files (whoever may edit)',
  },
  RunInput: {
    type: 121,
    travels: [C2R, R2N],
    fields: { runId, bytes, eof: flag },
    about: 'bytes for a run’s stdin; may close it',
  },
  RunStop: {
    type: 122,
    travels: [C2R, R2N],
    fields: { runId },
    about: 'stop a run',
  },
  RunStarted: {
    type: 123,
    travels: [R2C],
    fields: {
      runId,
      language,
      entry: text(SHORT),
      mode,
      userId: text(SHORT),
      name: text(SHORT),
      startedAt: uint,
    },
    about: 'a run began (who, what), so everyone shows it',
  },
  RunOutput: {
    type: 124,
    travels: [N2R, R2C],
    fields: {
      runId,
      stream: oneOfNumbers(OutputStream, 'stream'),
      bytes,
    },
    about: 'a chunk of stdout (0), stderr (1), or stdin typed into a run (2, sent by the relay only)',
  },
  RunExit: {
    type: 125,
    travels: [N2R, R2C],
    fields: {
      runId,
      code: optionalCode,
      signal: text(SHORT),
      reason: oneOf(EXIT_REASONS, 'exitReason'),
      durationMs: uint,
      message: text(4096),
    },
    about: 'the run ended; exactly one per run',
  },
  RunQueued: {
    type: 126,
    travels: [R2C],
    fields: { runId, position: uint },
    about: 'the run waits for a free runner slot',
  },
  RunnerHello: {
    type: 130,
    travels: [N2R],
    fields: { protocolVersion: uint, runnerId: text(SHORT), capacity: uint, languages },
    about: 'first message on a runner link',
  },
  RunnerJob: {
    type: 131,
    travels: [R2N],
    fields: {
      runId,
      language,
      entry: text(SHORT),
      mode,
      limits,
      files: stringRecord('files'),
      env: stringRecord('env'),
    },
    about: 'a run to execute, with the file snapshot and limits',
  },
  RunnerStatus: {
    type: 132,
    travels: [N2R],
    fields: { languages, preparing: list(imageBuild, IMAGE_BUILDS_MAX, 'imageBuild') },
    about: 'languages the runner can serve now, and the sandbox images it is building (how far)',
  },
  RoomState: {
    type: 140,
    travels: [R2C],
    json: parseRoomStatePayload,
    about: 'after hello and on every change: the room’s settings and your edit right',
  },
  ChatSend: {
    type: 141,
    travels: [C2R],
    fields: { text: text(CHAT_TEXT_MAX_CHARS) },
    about: 'a chat message; the relay writes it into the chat, stamped with the sender',
  },
  Restored: {
    type: 142,
    travels: [R2C],
    fields: {
      userId: text(SHORT),
      name: text(SHORT),
      restoredTo: uint,
      created: uint,
      deleted: uint,
      changed: uint,
    },
    about:
      'someone restored the files to a past entry of the log (who, which, how many files changed), so everyone is told',
  },
  Forked: {
    type: 143,
    travels: [R2C],
    fields: { userId: text(SHORT), name: text(SHORT), atSeq: uint },
    about: 'someone copied the room into one of their own (atSeq: from that past entry; 0: as it is now)',
  },
  WorkspaceStart: {
    type: 160,
    travels: [C2R],
    fields: { restart: flag },
    about: 'open the room’s workspace (whoever may edit); restart: replace it with a fresh one',
  },
  WorkspaceStop: {
    type: 161,
    travels: [C2R],
    fields: {},
    about: 'stop the room’s workspace (whoever may edit); the room’s files stay',
  },
  WorkspaceStatus: {
    type: 162,
    travels: [R2C],
    json: parseWorkspacePayload,
    about: 'after hello and on every change: the workspace’s state, usage, shells and notices',
  },
  ShellOpen: {
    type: 163,
    travels: [C2R],
    fields: { cols: uint, rows: uint },
    about: 'open a shell in the workspace (whoever may edit); it appears in workspaceStatus',
  },
  ShellInput: {
    type: 164,
    travels: [C2R, R2N],
    fields: { shellId, bytes },
    about: 'keystrokes for a shell (whoever may edit, checked on every message)',
  },
  ShellResize: {
    type: 165,
    travels: [C2R, R2N],
    fields: { shellId, cols: uint, rows: uint },
    about: 'the terminal size of whoever typed last',
  },
  ShellClose: {
    type: 166,
    travels: [C2R, R2N],
    fields: { shellId },
    about: 'close a shell (whoever may edit)',
  },
  ShellOutput: {
    type: 167,
    travels: [N2R, R2C],
    fields: { shellId, bytes },
    about: 'what a shell printed; a joiner first gets the recent scrollback this way',
  },
  ShellExit: {
    type: 168,
    travels: [N2R, R2C],
    fields: { shellId, code: optionalCode },
    about: 'a shell ended',
  },
  WorkspaceOpen: {
    type: 170,
    travels: [R2N],
    fields: { workspaceId, limits: workspaceLimits, skip: list(text(SHORT), 64, 'varString(name)') },
    about: 'start a workspace; its files follow in workspaceFiles',
  },
  WorkspaceClose: {
    type: 171,
    travels: [R2N],
    fields: { workspaceId },
    about: 'stop a workspace and remove its container',
  },
  WorkspaceFiles: {
    type: 172,
    travels: [R2N],
    fields: { workspaceId, ops: list(fileOp, FILE_OPS_MAX, 'fileOp') },
    about: 'the room’s file changes, in order: put (path, bytes) or del',
  },
  WorkspaceChanges: {
    type: 173,
    travels: [N2R],
    fields: { workspaceId, changes: list(fileChange, FILE_OPS_MAX, 'fileChange') },
    about: 'what commands in the workspace changed: put, del, or a path refused (why)',
  },
  WorkspaceState: {
    type: 174,
    travels: [N2R],
    fields: {
      workspaceId,
      state: oneOf(['running', 'stopped'] as const, 'workspaceState'),
      reason: text(LONG),
      memoryBytes: uint,
      cpuPermille: uint,
    },
    about: 'a workspace is running (with its usage, sent every few seconds) or stopped (why)',
  },
  RunnerShellOpen: {
    type: 175,
    travels: [R2N],
    fields: { workspaceId, shellId, cols: uint, rows: uint },
    about: 'open a shell, with the id the relay gave it, in a workspace',
  },
  RunnerWorkspaces: {
    type: 176,
    travels: [N2R],
    fields: { capacity: uint },
    about: 'how many workspaces this runner keeps at once (0: none, e.g. the image is missing)',
  },
  WorkspacePorts: {
    type: 177,
    travels: [N2R],
    fields: { workspaceId, ports: list(port, 64, 'varUint(port)') },
    about: 'the TCP ports programs of the sandbox user listen on in a workspace, after every change',
  },
  PreviewOpen: {
    type: 178,
    travels: [R2N],
    fields: {
      workspaceId,
      streamId,
      port,
      method: text(32),
      target: text(PATH_CHARS_MAX * 2),
      headers,
      upgrade: flag,
    },
    about: 'an HTTP request (or a WebSocket upgrade) for a port of a workspace; its body follows',
  },
  PreviewHead: {
    type: 179,
    travels: [N2R],
    fields: { streamId, status: uint, headers },
    about: 'the answer’s status and headers (101: the upgrade went through); its body follows',
  },
  PreviewData: {
    type: 180,
    travels: [R2N, N2R],
    fields: { streamId, bytes },
    about: 'body bytes of a preview stream, each way, within the other side’s credit',
  },
  PreviewEnd: {
    type: 181,
    travels: [R2N, N2R],
    fields: { streamId },
    about: 'the sender’s side of the stream is complete',
  },
  PreviewAbort: {
    type: 182,
    travels: [R2N, N2R],
    fields: { streamId, reason: text(LONG) },
    about: 'the stream failed or was cancelled; both sides forget it',
  },
  PreviewCredit: {
    type: 183,
    travels: [R2N, N2R],
    fields: { streamId, bytes: uint },
    about: 'the receiver wrote this many bytes on: the sender may send that much more',
  },
  DevServerStart: {
    type: 184,
    travels: [C2R],
    fields: { command: text(DEV_COMMAND_CHARS_MAX) },
    about: 'start (or restart) the room’s dev server in the workspace (whoever may edit)',
  },
  DevServerStop: {
    type: 185,
    travels: [C2R],
    fields: {},
    about: 'stop the room’s dev server (whoever may edit)',
  },
  RunnerCommandOpen: {
    type: 186,
    travels: [R2N],
    fields: { workspaceId, shellId, cols: uint, rows: uint, command: text(DEV_COMMAND_CHARS_MAX) },
    about: 'run a command (a dev server) on a terminal in a workspace; it reports like a shell',
  },
  // 190-199: code intelligence from the workspace's language servers (shared/lsp/protocol.ts).
  LspRequest: {
    type: 190,
    travels: [C2R],
    fields: {
      requestId: uint,
      // Language and method are checked by the relay, which answers a bad one and keeps the socket;
      // the text is bounded by the frame cap here and refused past LSP_TEXT_MAX_CHARS the same way.
      language: text(SHORT),
      method: text(SHORT),
      path: text(PATH_CHARS_MAX),
      text: text(Number.MAX_SAFE_INTEGER),
      line: uint,
      character: uint,
    },
    about: 'ask the workspace’s language server about a file (its text as the asker sees it) at a position',
  },
  RunnerLspRequest: {
    type: 191,
    travels: [R2N],
    fields: {
      workspaceId,
      requestId: uint,
      language: oneOf(LSP_LANGUAGES, 'lspLanguage'),
      method: oneOf(LSP_METHODS, 'lspMethod'),
      path: text(PATH_CHARS_MAX),
      text: text(LSP_TEXT_MAX_CHARS),
      line: uint,
      character: uint,
    },
    about: 'an allowed request for a workspace’s language server, with the relay’s request id',
  },
  LspAnswer: {
    type: 192,
    travels: [N2R, R2C],
    fields: {
      requestId: uint,
      status: oneOf(LSP_STATUSES, 'lspStatus'),
      message: text(LONG),
      result: jsonText(LSP_RESULT_MAX_CHARS),
    },
    about: 'the answer to one lspRequest, only to the connection that asked (result: null unless ok)',
  },
  RunnerLspDiagnostics: {
    type: 193,
    travels: [N2R],
    json: parseRunnerLspDiagnostics,
    about: 'a workspace’s language server published diagnostics for a file',
  },
  LspDiagnostics: {
    type: 194,
    travels: [R2C],
    json: parseLspDiagnostics,
    about: 'after hello and on every change: the diagnostics of one file of the room’s workspace',
  },
} as const satisfies Record<string, MessageSpec>;

export type MessageName = keyof typeof PROTOCOL;
type Spec<N extends MessageName> = (typeof PROTOCOL)[N];

/** The message numbers by name, from the table. */
export const MessageType = Object.fromEntries(
  Object.entries(PROTOCOL).map(([name, spec]) => [name, spec.type]),
) as { readonly [N in MessageName]: Spec<N>['type'] };
export type MessageType = Spec<MessageName>['type'];

type Body<S> = S extends { fields: infer F }
  ? { [K in keyof F]: FieldValue<F[K]> }
  : S extends { json: (value: unknown) => infer J }
    ? J
    : never;

/** The message named `N`: its type number and its fields. */
export type MessageOf<N extends MessageName> = { type: Spec<N>['type'] } & Body<Spec<N>>;

export type Message = { [N in MessageName]: MessageOf<N> }[MessageName];

/** The messages that may travel `D`. */
export type MessageIn<D extends Direction> = {
  [N in MessageName]: D extends Spec<N>['travels'][number] ? MessageOf<N> : never;
}[MessageName];

export type ClientToRelayMessage = MessageIn<typeof Direction.ClientToRelay>;
export type RelayToClientMessage = MessageIn<typeof Direction.RelayToClient>;
export type RelayToRunnerMessage = MessageIn<typeof Direction.RelayToRunner>;
export type RunnerToRelayMessage = MessageIn<typeof Direction.RunnerToRelay>;

/** A Tandem message (100+), as opposed to y-protocols' (0-3). */
export type TandemMessage = Exclude<Message, MessageOf<'Sync' | 'Awareness' | 'Auth' | 'QueryAwareness'>>;

// Names the rest of the code uses for single messages and families.
export type HelloMessage = MessageOf<'Hello'>;
export type WelcomeMessage = MessageOf<'Welcome'>;
export type SyncStatusMessage = MessageOf<'SyncStatus'>;
export type ErrorMessage = MessageOf<'Error'>;
export type ChatSendMessage = MessageOf<'ChatSend'>;
export type PeerJoined = MessageOf<'PeerJoined'>;
export type PeerLeft = MessageOf<'PeerLeft'>;
export type PeerMessage = PeerList | PeerJoined | PeerLeft | Signal | MediaControl;
export type PeerInfo = MessageOf<'PeerJoined'>['peer'];
export type PeerList = MessageOf<'PeerList'>;
export type Signal = MessageOf<'Signal'>;
export type MediaControl = MessageOf<'MediaControl'>;
export type RunStart = MessageOf<'RunStart'>;
export type RunInput = MessageOf<'RunInput'>;
export type RunStop = MessageOf<'RunStop'>;
export type RunStarted = MessageOf<'RunStarted'>;
export type RunOutput = MessageOf<'RunOutput'>;
export type RunExit = MessageOf<'RunExit'>;
export type RunQueued = MessageOf<'RunQueued'>;
export type RunnerHello = MessageOf<'RunnerHello'>;
export type RunnerJob = MessageOf<'RunnerJob'>;
export type RunnerStatus = MessageOf<'RunnerStatus'>;
export type RunLimits = RunnerJob['limits'];
export type RunMessage =
  | RunStart
  | RunInput
  | RunStop
  | RunStarted
  | RunOutput
  | RunExit
  | RunQueued
  | RunnerHello
  | RunnerJob
  | RunnerStatus;
export type RoomStateMessage = MessageOf<'RoomState'>;
export type { RoomStatePayload, WorkspacePayload };
export type FileOp = MessageOf<'WorkspaceFiles'>['ops'][number];
export type FileChange = MessageOf<'WorkspaceChanges'>['changes'][number];
export type WorkspaceLimits = MessageOf<'WorkspaceOpen'>['limits'];
