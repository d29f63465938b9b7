/**
 * The relay's figures in Prometheus' text format (`GET /metrics`, behind
 * TANDEM_METRICS_TOKEN): rooms, connections, messages and bytes by type,
 * refused joins and closes by code, how long storing takes, runs by language
 * and outcome and their duration, the run queue, runners, workspaces, and
 * Node's own (event-loop lag, memory, CPU, GC) from prom-client's defaults.
 * Labels come from closed sets (message names, error and close codes,
 * languages, exit reasons): never a room id, user or token.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { messageName } from '../shared/protocol/codec.js';

/** What the gauges read when scraped. */
export interface MetricSources {
  roomsLoaded(): number;
  connections(): number;
  runQueue(): number;
  runners(): number;
  workspaces(): number;
  previews(): number;
}

export class RelayMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'type'>;
  private readonly messageBytes: Counter<'type'>;
  private readonly refused: Counter<'code'>;
  private readonly closes: Counter<'code'>;
  private readonly storeSeconds: Histogram;
  private readonly runs: Counter<'language' | 'outcome'>;
  private readonly runSeconds: Histogram<'language'>;
  /** Each message type's two counters, looked up once: `message` runs for every frame. */
  private readonly byType = new Map<number, { count: Counter.Internal; bytes: Counter.Internal }>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tandem_' });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('tandem_rooms_loaded', 'Rooms in memory', () => sources.roomsLoaded());
    gauge('tandem_connections', 'Open room sockets', () => sources.connections());
    gauge('tandem_run_queue_length', 'Runs waiting for a runner slot', () => sources.runQueue());
    gauge('tandem_runners', 'Runners connected', () => sources.runners());
    gauge('tandem_workspaces', 'Live workspaces', () => sources.workspaces());
    gauge('tandem_previews', 'Previews offered (ports listened on in workspaces)', () => sources.previews());
    this.messages = new Counter({
      name: 'tandem_messages_received_total',
      help: 'Messages received on room sockets, by type',
      labelNames: ['type'],
      registers,
    });
    this.messageBytes = new Counter({
      name: 'tandem_message_bytes_received_total',
      help: 'Bytes of messages received on room sockets, by type',
      labelNames: ['type'],
      registers,
    });
    this.refused = new Counter({
      name: 'tandem_joins_refused_total',
      help: 'Socket upgrades refused before joining, by error code',
      labelNames: ['code'],
      registers,
    });
    this.closes = new Counter({
      name: 'tandem_connections_closed_total',
      help: 'Room sockets closed, by WebSocket close code',
      labelNames: ['code'],
      registers,
    });
    this.storeSeconds = new Histogram({
      name: 'tandem_store_seconds',
      help: 'Time to store one pass of a room’s updates (before they are broadcast)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.runs = new Counter({
      name: 'tandem_runs_total',
      help: 'Runs ended, by language and outcome (exit reason)',
      labelNames: ['language', 'outcome'],
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'tandem_run_seconds',
      help: 'Run duration from start to exit, by language',
      labelNames: ['language'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600],
      registers,
    });
  }

  /** A decoded message (so `type` is one of the table's: the label set stays closed). */
  message(type: number, bytes: number): void {
    let counters = this.byType.get(type);
    if (!counters) {
      const name = messageName(type);
      counters = { count: this.messages.labels(name), bytes: this.messageBytes.labels(name) };
      this.byType.set(type, counters);
    }
    counters.count.inc();
    counters.bytes.inc(bytes);
  }

  refusedJoin(code: string): void {
    this.refused.inc({ code });
  }

  closed(code: number): void {
    this.closes.inc({ code: String(code) });
  }

  stored(seconds: number): void {
    this.storeSeconds.observe(seconds);
  }

  runEnded(language: string, outcome: string, durationMs: number): void {
    this.runs.inc({ language, outcome });
    this.runSeconds.observe({ language }, durationMs / 1000);
  }

  /** The text format, and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
