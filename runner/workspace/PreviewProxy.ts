/**
 * The runner's end of preview streams: each `previewOpen` from the relay
 * becomes one HTTP request (or WebSocket upgrade) to a workspace's port,
 * made over the unix socket the workspace's forwarder listens on. Bodies go
 * both ways as `previewData` within the other side's credit (streamWindow.ts),
 * so a large response waits for its browser instead of crowding the link.
 */
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MessageType, type MessageOf, type RunnerToRelayMessage } from '../../shared/protocol/table.js';
import { pumpThroughWindow, SendWindow } from '../../server/streamWindow.js';

/** Streams one workspace may have open at once (a page load opens dozens). */
export const PREVIEW_STREAMS_PER_WORKSPACE = 256;

type Inbound =
  | MessageOf<'PreviewOpen'>
  | MessageOf<'PreviewData'>
  | MessageOf<'PreviewEnd'>
  | MessageOf<'PreviewAbort'>
  | MessageOf<'PreviewCredit'>;

interface Stream {
  id: number;
  workspaceId: string;
  request: ClientRequest;
  /** The upgraded socket, once a WebSocket went through. */
  upgraded: Duplex | null;
  response: IncomingMessage | null;
  window: SendWindow;
  done: boolean;
}

export interface PreviewProxyOptions {
  send(message: RunnerToRelayMessage): void;
  /** The socket of a workspace's port, or null if it has no such port now. */
  socketFor(workspaceId: string, port: number): string | null;
}

export class PreviewProxy {
  private readonly streams = new Map<number, Stream>();
  /**
   * Connections to the forwarders stay open between requests (one per socket
   * path, pooled): each new one costs socat a fork and the app a TCP accept.
   * Upgrades take a connection of their own.
   */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 60_000 });

  constructor(private readonly options: PreviewProxyOptions) {}

  handle(message: Inbound): void {
    if (message.type === MessageType.PreviewOpen) return this.open(message);
    const stream = this.streams.get(message.streamId);
    if (!stream) return;
    switch (message.type) {
      case MessageType.PreviewData: {
        const target = stream.upgraded ?? stream.request;
        const length = message.bytes.byteLength;
        target.write(message.bytes, () =>
          this.send({ type: MessageType.PreviewCredit, streamId: stream.id, bytes: length }),
        );
        return;
      }
      case MessageType.PreviewEnd:
        return void (stream.upgraded ?? stream.request).end();
      case MessageType.PreviewCredit:
        return stream.window.credit(message.bytes);
      case MessageType.PreviewAbort:
        return this.finish(stream, null);
    }
  }

  /** Ends every stream of a workspace (it stopped). */
  closeWorkspace(workspaceId: string): void {
    for (const stream of [...this.streams.values()]) {
      if (stream.workspaceId === workspaceId) this.finish(stream, 'the workspace stopped');
    }
  }

  closeAll(): void {
    for (const stream of [...this.streams.values()]) this.finish(stream, null);
  }

  private open(message: MessageOf<'PreviewOpen'>): void {
    const { streamId, workspaceId, port } = message;
    const abort = (reason: string) => this.send({ type: MessageType.PreviewAbort, streamId, reason });
    if (this.streams.has(streamId)) return abort('that stream is already open');
    const socketPath = this.options.socketFor(workspaceId, port);
    if (!socketPath) return abort(`nothing listens on port ${port} in the workspace`);
    let open = 0;
    for (const stream of this.streams.values()) if (stream.workspaceId === workspaceId) open++;
    if (open >= PREVIEW_STREAMS_PER_WORKSPACE) return abort('too many requests to this workspace at once');

    const headers: [string, string][] = message.headers.map(({ name, value }) => [name, value]);
    const outgoing = request({
      socketPath,
      method: message.method,
      path: message.target,
      headers: headers.flat(),
      setHost: false,
      agent: message.upgrade ? false : this.agent,
    });
    const stream: Stream = {
      id: streamId,
      workspaceId,
      request: outgoing,
      upgraded: null,
      response: null,
      window: new SendWindow(),
      done: false,
    };
    this.streams.set(streamId, stream);
    outgoing.on('response', (response) => {
      stream.response = response;
      this.send({
        type: MessageType.PreviewHead,
        streamId,
        status: response.statusCode ?? 502,
        headers: pairs(response.rawHeaders),
      });
      this.pump(stream, response);
      response.on('error', (error) => this.finish(stream, `the app’s answer broke off: ${error.message}`));
    });
    outgoing.on('upgrade', (response, socket, head) => {
      stream.upgraded = socket;
      this.send({
        type: MessageType.PreviewHead,
        streamId,
        status: 101,
        headers: pairs(response.rawHeaders),
      });
      if (head.byteLength > 0) {
        this.send({ type: MessageType.PreviewData, streamId, bytes: new Uint8Array(head) });
        stream.window.spend(head.byteLength);
      }
      this.pump(stream, socket);
      socket.on('error', (error) => this.finish(stream, `the app’s WebSocket broke off: ${error.message}`));
      socket.on('close', () => this.finish(stream, null, true));
    });
    outgoing.on('error', (error) =>
      this.finish(stream, `the app on port ${port} did not answer: ${describe(error)}`),
    );
    // An upgrade has no body: its bytes come after the 101.
    if (message.upgrade) outgoing.flushHeaders();
  }

  private pump(stream: Stream, source: IncomingMessage | Duplex): void {
    pumpThroughWindow(
      source,
      stream.window,
      (bytes) => this.send({ type: MessageType.PreviewData, streamId: stream.id, bytes }),
      () => {
        if (stream.done) return;
        this.send({ type: MessageType.PreviewEnd, streamId: stream.id });
        if (!stream.upgraded) this.forget(stream);
      },
    );
  }

  /** Forgets a stream and tears down its request; `reason` (if any) goes to the relay as an abort. */
  private finish(stream: Stream, reason: string | null, ended = false): void {
    if (stream.done) return;
    if (ended && stream.upgraded) this.send({ type: MessageType.PreviewEnd, streamId: stream.id });
    else if (reason) this.send({ type: MessageType.PreviewAbort, streamId: stream.id, reason });
    this.forget(stream);
    stream.upgraded?.destroy();
    stream.response?.destroy();
    stream.request.destroy();
  }

  private forget(stream: Stream): void {
    stream.done = true;
    this.streams.delete(stream.id);
  }

  private send(message: RunnerToRelayMessage): void {
    this.options.send(message);
  }
}

function pairs(raw: string[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOENT') return 'nothing listens there any more';
  return error.message;
}
