/**
 * This page's requests to the workspace's language servers, over the room's
 * socket: each `lspRequest` gets an id of the page's and resolves with the
 * `lspAnswer` of that id, its result checked against the method's schema
 * (shared/lsp/results.ts). Anything else (the workspace is off, a refusal, a
 * timeout, an answer that does not validate, a socket that dropped meanwhile)
 * resolves to null: code intelligence is a help, never an error in the way.
 * The last reason a language gave no answer is kept for a quiet note.
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import { LspStatus, type LspLanguage, type LspMethod } from '../../../shared/lsp/protocol.js';
import { parseLspResult, type LspPosition, type LspResult } from '../../../shared/lsp/results.js';
import { MessageType, type MessageOf } from '../../../shared/protocol/table.js';
import type { RelayChannel } from '../transport/RelayChannel.js';

/** The relay answers every request within 25 s; this covers a socket that dropped meanwhile. */
const ANSWER_WAIT_MS = 30_000;

export interface LspProblem {
  language: LspLanguage;
  status: LspStatus;
  message: string;
}

interface Waiting {
  method: LspMethod;
  language: LspLanguage;
  resolve(value: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

export class LspClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly problemNow = signal<LspProblem | null>(null);
  private readonly stop: () => void;

  constructor(private readonly channel: RelayChannel) {
    this.stop = channel.on(MessageType.LspAnswer, (message) => this.onAnswer(message));
  }

  /** Why the last request of a language got no answer; null once one was answered. */
  get problem(): ReadonlySignal<LspProblem | null> {
    return this.problemNow;
  }

  request<M extends LspMethod>(
    method: M,
    language: LspLanguage,
    path: string,
    text: string,
    position: LspPosition,
  ): Promise<LspResult<M> | null> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      const sent = this.channel.send({
        type: MessageType.LspRequest,
        requestId,
        language,
        method,
        path,
        text,
        line: position.line,
        character: position.character,
      });
      if (!sent) return resolve(null);
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(null);
      }, ANSWER_WAIT_MS);
      this.waiting.set(requestId, { method, language, resolve: resolve as (value: unknown) => void, timer });
    });
  }

  dispose(): void {
    this.stop();
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.resolve(null);
    }
    this.waiting.clear();
  }

  private onAnswer(message: MessageOf<'LspAnswer'>): void {
    const waiting = this.waiting.get(message.requestId);
    if (!waiting) return;
    this.waiting.delete(message.requestId);
    clearTimeout(waiting.timer);
    const { language } = waiting;
    if (message.status !== LspStatus.Ok) {
      // Busy and slow are passing; the rest say something about this language now.
      if (message.status !== LspStatus.RateLimited && message.status !== LspStatus.Timeout) {
        this.problemNow.value = { language, status: message.status, message: message.message };
      }
      return waiting.resolve(null);
    }
    if (this.problemNow.peek()?.language === language) this.problemNow.value = null;
    let value: unknown;
    try {
      value = JSON.parse(message.result);
    } catch {
      return waiting.resolve(null);
    }
    waiting.resolve(parseLspResult(waiting.method, value));
  }
}
