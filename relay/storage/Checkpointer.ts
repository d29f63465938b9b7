/**
 * Copies SQLite's WAL back into the database file from a worker thread, so the
 * relay's event loop never waits for it.
 *
 * SQLite checkpoints on its own inside the commit that crosses 1,000 WAL
 * pages; that commit then fsyncs the WAL and the database and takes about
 * 11 ms on this kind of machine. Under 2,000 updates/s the journal move hit
 * one every 12th move, and those were the relay's delivery tail (a measured
 * move of 100 records: 0.9 ms p50, 11 ms p99). The storage turns SQLite's
 * automatic checkpoint off and asks this class instead, about once a second
 * while it writes; a PASSIVE checkpoint on a second connection lets writers go
 * on meanwhile (that is what WAL is for).
 *
 * The worker (a V8 isolate, ~10 MB) starts on the first checkpoint and ends
 * after a quiet while, so an idle relay holds none. If it cannot run, the
 * storage gets SQLite's automatic checkpoint back (`onFailure`).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointResult {
  /** Frames in the WAL when the checkpoint ran. */
  walFrames: number;
  /** Of those, how many are in the database file now. */
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** A write asks for a checkpoint this long after it (one per interval at most). */
  everyMs: number;
  /** The worker ends after this long without a checkpoint. */
  idleMs: number;
  /** The worker failed: the caller takes checkpoints back. */
  onFailure: (error: Error) => void;
}

/** Plain JavaScript: the worker runs as an eval'd script with only the driver. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ walFrames: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

interface Waiting {
  resolve: (result: CheckpointResult) => void;
  reject: (error: Error) => void;
}

export class Checkpointer {
  private worker: Worker | null = null;
  private waiting: Waiting[] = [];
  private inFlight: Promise<CheckpointResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private failed = false;

  constructor(
    private readonly file: string,
    private readonly options: CheckpointerOptions,
  ) {}

  /** A transaction wrote to the WAL: a checkpoint follows within `everyMs`. */
  noteWrite(): void {
    if (this.timer || this.failed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checkpoint().catch(() => {
        // Reported through onFailure; the next write asks again if it can.
      });
    }, this.options.everyMs);
    this.timer.unref();
  }

  /** Checkpoints now (joining one under way) and says how far it got. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.failed) return Promise.reject(new Error('the checkpoint worker failed'));
    this.inFlight ??= new Promise<CheckpointResult>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.ensureWorker().postMessage('checkpoint');
    }).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Ends the worker (the caller's last connection checkpoints on close). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.stopWorker();
  }

  private ensureWorker(): Worker {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stopWorker(), this.options.idleMs);
    this.idleTimer.unref();
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: DRIVER, file: this.file },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    worker.on('message', (message: CheckpointResult | { error: string }) => {
      const waiting = this.waiting.shift();
      if ('error' in message) waiting?.reject(new Error(`checkpoint failed: ${message.error}`));
      else waiting?.resolve(message);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (code !== 0) this.fail(new Error(`the checkpoint worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    this.failed = true;
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
    void this.stopWorker();
    this.options.onFailure(error);
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('the checkpoint worker stopped'));
    await worker.terminate();
  }
}
