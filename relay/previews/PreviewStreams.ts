/**
 * The relay's end of preview streams over runner links: opens a stream (one
 * HTTP request or WebSocket) on the runner holding a workspace, sends its
 * bytes within the runner's credit, and hands what comes back to whoever
 * opened it. Stream ids are the relay's, unique across its runner links.
 */
import { MessageType, type MessageOf } from '../../shared/protocol/table.js';
import { pumpThroughWindow, SendWindow } from '../../server/streamWindow.js';
import type { Readable } from 'node:stream';
import { sendToRunner, type RunnerLink } from '../runs/RunnerHub.js';

export interface StreamHandlers {
  onHead(status: number, headers: { name: string; value: string }[]): void;
  /** Body bytes; call `written` once they are on their way to the browser (that is the runner's credit). */
  onData(bytes: Uint8Array, written: () => void): void;
  onEnd(): void;
  onAbort(reason: string): void;
}

export interface PreviewStream {
  readonly id: number;
  /** Sends what `source` yields as the request body (or the WebSocket's bytes), then the end. */
  pipeFrom(source: Readable): void;
  /** Cancels the stream on both sides (the browser went away). */
  abort(reason: string): void;
}

type FromRunner =
  | MessageOf<'PreviewHead'>
  | MessageOf<'PreviewData'>
  | MessageOf<'PreviewEnd'>
  | MessageOf<'PreviewAbort'>
  | MessageOf<'PreviewCredit'>;

interface Entry {
  link: RunnerLink;
  handlers: StreamHandlers;
  window: SendWindow;
  /** What the relay opened it for: counted per preview for the cap. */
  previewId: string;
}

export class PreviewStreams {
  private nextId = 1;
  private readonly streams = new Map<number, Entry>();

  /** Streams open now for one preview. */
  countFor(previewId: string): number {
    let count = 0;
    for (const entry of this.streams.values()) if (entry.previewId === previewId) count++;
    return count;
  }

  open(
    link: RunnerLink,
    request: Omit<MessageOf<'PreviewOpen'>, 'type' | 'streamId'>,
    previewId: string,
    handlers: StreamHandlers,
  ): PreviewStream {
    const id = this.nextId++;
    const entry: Entry = { link, handlers, window: new SendWindow(), previewId };
    this.streams.set(id, entry);
    sendToRunner(link, { type: MessageType.PreviewOpen, streamId: id, ...request });
    return {
      id,
      pipeFrom: (source) =>
        pumpThroughWindow(
          source,
          entry.window,
          (bytes) => {
            if (this.streams.get(id) === entry)
              sendToRunner(link, { type: MessageType.PreviewData, streamId: id, bytes });
          },
          () => {
            if (this.streams.get(id) === entry)
              sendToRunner(link, { type: MessageType.PreviewEnd, streamId: id });
          },
        ),
      abort: (reason) => {
        if (this.streams.get(id) !== entry) return;
        this.streams.delete(id);
        sendToRunner(link, { type: MessageType.PreviewAbort, streamId: id, reason: reason.slice(0, 1000) });
      },
    };
  }

  fromRunner(link: RunnerLink, message: FromRunner): void {
    const entry = this.streams.get(message.streamId);
    if (!entry || entry.link !== link) return;
    const { handlers } = entry;
    switch (message.type) {
      case MessageType.PreviewHead:
        return handlers.onHead(message.status, message.headers);
      case MessageType.PreviewData: {
        const length = message.bytes.byteLength;
        return handlers.onData(message.bytes, () => {
          if (this.streams.get(message.streamId) === entry)
            sendToRunner(link, {
              type: MessageType.PreviewCredit,
              streamId: message.streamId,
              bytes: length,
            });
        });
      }
      case MessageType.PreviewCredit:
        return entry.window.credit(message.bytes);
      case MessageType.PreviewEnd:
        this.streams.delete(message.streamId);
        return handlers.onEnd();
      case MessageType.PreviewAbort:
        this.streams.delete(message.streamId);
        return handlers.onAbort(message.reason);
    }
  }

  /** A runner went away: every stream it carried fails. */
  dropLink(link: RunnerLink): void {
    for (const [id, entry] of this.streams) {
      if (entry.link !== link) continue;
      this.streams.delete(id);
      entry.handlers.onAbort('the runner holding the workspace went away');
    }
  }

  /** A preview closed (its port or workspace went): its streams end. */
  dropPreview(previewId: string, reason: string): void {
    for (const [id, entry] of this.streams) {
      if (entry.previewId !== previewId) continue;
      this.streams.delete(id);
      sendToRunner(entry.link, { type: MessageType.PreviewAbort, streamId: id, reason });
      entry.handlers.onAbort(reason);
    }
  }
}
