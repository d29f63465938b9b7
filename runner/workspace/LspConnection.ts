/**
 * JSON-RPC 2.0 with a language server over its stdin and stdout
 * (lspFraming.ts): our requests with a time limit each (cancelled with
 * `$/cancelRequest` when it passes), our notifications, and the server's own
 * requests and notifications handed to the owner. The server's requests are
 * answered by the owner's `onRequest`: that is where edits are refused.
 */
import type { Readable, Writable } from 'node:stream';
import { encodeLspMessage, LspReader } from './lspFraming.js';

/** One message from the server: answers are rarely past a few hundred KB. */
const MESSAGE_MAX_BYTES = 8 * 1024 * 1024;
/** JSON-RPC: the method is not known. */
const METHOD_NOT_FOUND = -32601;

export class LspRequestError extends Error {
  override name = 'LspRequestError';
  constructor(
    message: string,
    /** JSON-RPC's error code, or 'timeout' / 'closed' / 'oversize'. */
    readonly code: number | 'timeout' | 'closed' | 'oversize',
  ) {
    super(message);
  }
}

export interface LspHandlers {
  /** A request from the server; what it resolves to is the answer (throw: an error answer). */
  onRequest(method: string, params: unknown): unknown;
  onNotification(method: string, params: unknown): void;
  /** The stream broke or ended; called once, with why. */
  onClose(reason: string): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: LspRequestError): void;
  timer: NodeJS.Timeout;
}

export class LspConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly reader = new LspReader(MESSAGE_MAX_BYTES);
  private closed = false;

  constructor(
    private readonly input: Writable,
    output: Readable,
    private readonly handlers: LspHandlers,
  ) {
    output.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      try {
        for (const frame of this.reader.push(chunk)) {
          // Whose answer it was cannot be known: that request runs into its time limit.
          if (frame.kind === 'oversize') continue;
          this.receive(frame.message);
        }
      } catch (error) {
        this.close(`the language server broke the protocol: ${(error as Error).message}`);
      }
    });
    output.once('end', () => this.close('the language server ended'));
    output.once('close', () => this.close('the language server ended'));
    output.on('error', (error) => this.close(`the language server's output failed: ${error.message}`));
    input.on('error', (error) => this.close(`the language server's input failed: ${error.message}`));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new LspRequestError('the language server is not running', 'closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.notify('$/cancelRequest', { id });
        reject(new LspRequestError(`${method} took longer than ${timeoutMs} ms`, 'timeout'));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Fails what is pending; the owner ends the process. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new LspRequestError(reason, 'closed'));
      this.pending.delete(id);
    }
    this.handlers.onClose(reason);
  }

  private write(message: object): void {
    if (!this.closed) this.input.write(encodeLspMessage(message));
  }

  private receive(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const message = value as {
      id?: unknown;
      method?: unknown;
      params?: unknown;
      result?: unknown;
      error?: unknown;
    };
    if (typeof message.method === 'string') {
      if (message.id === undefined) return this.handlers.onNotification(message.method, message.params);
      return void this.answer(message.id, message.method, message.params);
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return; // answered after its time limit
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) {
      const error = message.error as { code?: unknown; message?: unknown };
      pending.reject(
        new LspRequestError(
          String(error.message ?? 'the language server failed').slice(0, 500),
          typeof error.code === 'number' ? error.code : -32603,
        ),
      );
    } else pending.resolve(message.result ?? null);
  }

  private async answer(id: unknown, method: string, params: unknown): Promise<void> {
    if (typeof id !== 'number' && typeof id !== 'string') return;
    try {
      const result = await this.handlers.onRequest(method, params);
      this.write({ jsonrpc: '2.0', id, result: result ?? null });
    } catch (error) {
      this.write({
        jsonrpc: '2.0',
        id,
        error: { code: METHOD_NOT_FOUND, message: (error as Error).message },
      });
    }
  }
}
