/**
 * Message numbers on a Tandem WebSocket. This file is the only place they live.
 *
 * 0 to 3 belong to y-protocols and keep their standard meaning, so the official
 * y-websocket client and every Yjs tool can talk to the relay unchanged. Tandem's
 * own messages start at 100 and are sent by the relay only to a connection that
 * has introduced itself with `hello`. Never renumber a type: add one.
 */
export const MessageType = {
  /** y-protocols sync: step 1 (state vector), step 2 (missing update), update. */
  Sync: 0,
  /** y-protocols awareness update. */
  Awareness: 1,
  /** y-protocols auth: the relay sends "permission denied" with a reason. */
  Auth: 2,
  /** y-protocols query-awareness: ask for every known awareness state. */
  QueryAwareness: 3,
  /** client -> relay: protocol version; the relay answers with `welcome`. */
  Hello: 100,
  /** relay -> client: protocol version and who the token says you are. */
  Welcome: 101,
  /** both ways: a counter echoed once every earlier update of this connection is stored. */
  SyncStatus: 102,
  /** relay -> client: a typed error that did not need to close the socket. */
  Error: 103,

  /** relay -> client, after hello: your peer id and the room's other peers. */
  PeerList: 110,
  /** relay -> clients: a connection said hello. */
  PeerJoined: 111,
  /** relay -> clients: a connection left. */
  PeerLeft: 112,
  /** client -> relay: a WebRTC signal for one peer; relay -> that peer, with the sender stamped. */
  Signal: 113,
  /** owner -> relay -> everyone: a participant's outgoing audio/video muted (or not) for the room. */
  MediaControl: 114,

  /** client -> relay: start a run of the room's files (editors only). */
  RunStart: 120,
  /** client -> relay -> runner: bytes for a run's stdin (editors only); may close it. */
  RunInput: 121,
  /** client -> relay -> runner: stop a run. */
  RunStop: 122,
  /** relay -> clients: a run began (who, what), so everyone shows it. */
  RunStarted: 123,
  /** runner -> relay -> clients: a chunk of stdout or stderr. */
  RunOutput: 124,
  /** runner -> relay -> clients: the run ended; exactly one per run. */
  RunExit: 125,
  /** relay -> clients: the run waits for a free runner slot. */
  RunQueued: 126,

  /** runner -> relay: first message on a runner link: version, id, capacity, languages. */
  RunnerHello: 130,
  /** relay -> runner: a run to execute, with the file snapshot and limits. */
  RunnerJob: 131,
  /** runner -> relay: languages it can serve now (Docker up or down, images present). */
  RunnerStatus: 132,

  /** relay -> client, after hello and on every change: the room's settings and your edit right. */
  RoomState: 140,
  /** client -> relay: a chat message; the relay writes it into the document's chat, stamped with the sender. */
  ChatSend: 141,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Sub-types of a y-protocols sync message. */
export const SyncStep = {
  Step1: 0,
  Step2: 1,
  Update: 2,
} as const;
export type SyncStep = (typeof SyncStep)[keyof typeof SyncStep];

/** Version of Tandem's own messages (100+). A mismatch in `hello` closes the socket. */
export const PROTOCOL_VERSION = 1;
