/**
 * Runs across relays sharing rooms (REDIS_URL): any relay accepts a run, and
 * the runners of any relay may execute it.
 *
 * Each relay with runners says so every ADVERTISE_EVERY_MS under the topic
 * `runners` (the languages they serve, and a heartbeat). A run goes to one
 * relay among those serving its language, chosen by rendezvous hashing on
 * the room id: every run of a room goes to the same relay while the set of
 * relays holds, so its runner hub keeps the room's turns and its queue cap
 * for the whole cluster. The chosen relay may be this one (its own hub then
 * takes the job, as without Redis).
 *
 * A job crosses once (JobSubmit to one relay, never retried elsewhere: a job
 * is never executed twice) without its environment: the executing relay reads
 * and opens it from the shared database itself, so secrets never cross Redis.
 * Its frames come back (JobReport) to the relay the run belongs to, which
 * stores it and broadcasts it to the room. Run ids are the clients': a hosted
 * job gets an id of its own in the hub here, so another room's run of the same
 * id is never touched. Every relay's heartbeat also lists the runs it hosts. A
 * job sent to a relay that is not there ends at once; one whose relay stops
 * beating for ADVERTISED_STALE_MS (killed), stops listing it (its exit was
 * lost in a Redis blip) or that this relay loses touch with (Redis away) ends
 * with a sentence saying so, and is told to stop there; a run whose own relay
 * stops beating is stopped where it executes.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { LANGUAGES, type LanguageId } from '../../shared/languages.js';
import { decode, encode } from '../../shared/protocol/codec.js';
import {
  Direction,
  MessageType,
  type RunInput,
  type RunnerJob,
  type RunStop,
} from '../../shared/protocol/table.js';
import type { Logger } from '../../server/log.js';
import {
  exitOf,
  type JobExecutor,
  type JobSink,
  type RunnerHub,
  type SubmitOptions,
} from '../runs/RunnerHub.js';
import { BusKind, type BusMessage, type RoomBus } from './RoomBus.js';

const TOPIC = 'runners';
export const ADVERTISE_EVERY_MS = 2_000;
/** A relay whose heartbeat has not moved for this long is gone. */
export const ADVERTISED_STALE_MS = 3 * ADVERTISE_EVERY_MS;
/** A gone relay's line is removed (by whoever reads it) after this long. */
const FORGET_AFTER_MS = 60_000;
const KNOWN_LANGUAGES = new Set<string>(LANGUAGES.map((l) => l.id));

/** A job and control frames waiting at most this many while its environment opens. */
const EARLY_MAX = 1_000;

interface Offer {
  languages: Set<LanguageId>;
  beat: number;
  /** The runs of other relays it executes, by hostKey. */
  hosting: Set<string>;
  /** When this relay last saw the beat move (its own clock: relays' clocks may differ). */
  seenAt: number;
}

interface Away {
  relayId: string;
  sink: JobSink;
  /** That relay's beat when the job was sent (null: not heard of yet). */
  sentAtBeat: number | null;
  /** Its advertisements since, with a newer beat, that did not list the run. */
  misses: number;
}

interface Hosted {
  origin: string;
  runId: string;
  /** The id the job has in the hub here: run ids are the clients', so another room may use the same. */
  localId: string;
  /** Input or a stop that came while the environment was being opened; null once submitted. */
  early: (RunInput | RunStop)[] | null;
}

/** A hosted run, by the relay it belongs to and its id there. */
const hostKey = (origin: string, runId: string) => `${origin}\n${runId}`;

export class RunRouter implements JobExecutor {
  private offers = new Map<string, Offer>();
  /** Runs of this relay's rooms executing on another relay: where, and who wants the frames. */
  private readonly away = new Map<string, Away>();
  /** Runs of other relays' rooms executing here, by hostKey. */
  private readonly hosted = new Map<string, Hosted>();
  private beat = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly hub: RunnerHub,
    private readonly bus: RoomBus,
    /** The room's environment, opened from the shared database (secrets never cross Redis). */
    private readonly openEnv: (roomId: string) => Promise<Record<string, string>>,
    private readonly log: Logger,
  ) {
    bus.onDirect((message) => this.receive(message));
    this.timer = setInterval(() => void this.tick(), ADVERTISE_EVERY_MS);
    this.timer.unref();
    void this.tick();
  }

  accepts(language: LanguageId): boolean {
    return this.hub.accepts(language) || this.serving(language).length > 0;
  }

  submit(roomId: string, job: RunnerJob, sink: JobSink, options: SubmitOptions): void {
    const target = this.relayFor(roomId, job.language);
    if (target === null || target === this.bus.relayId) return this.hub.submit(roomId, job, sink, options);
    const { runId } = job;
    if (this.away.has(runId)) {
      return sink.exit(exitOf(runId, 'error', 'a run with this id is already running', 0));
    }
    this.away.set(runId, {
      relayId: target,
      sink,
      sentAtBeat: this.offers.get(target)?.beat ?? null,
      misses: 0,
    });
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, roomId);
    encoding.writeVarUint(encoder, options.queueMaxPerRoom);
    encoding.writeVarUint(encoder, options.activeMaxPerRoom);
    encoding.writeVarUint8Array(encoder, encode({ ...job, env: {} }));
    void this.bus
      .sendDirect(target, { kind: BusKind.JobSubmit, payload: encoding.toUint8Array(encoder) })
      .then((alive) => {
        if (alive !== true)
          this.endAway(runId, 'the relay whose runners were to take this run is gone: run it again');
      });
  }

  input(runId: string, bytes: Uint8Array, eof: boolean): void {
    const away = this.away.get(runId);
    if (!away) return this.hub.input(runId, bytes, eof);
    this.control(away.relayId, { type: MessageType.RunInput, runId, bytes, eof });
  }

  stop(runId: string): void {
    const away = this.away.get(runId);
    if (!away) return this.hub.stop(runId);
    this.control(away.relayId, { type: MessageType.RunStop, runId });
  }

  /** Input or a stop for a run of ours, to the relay executing it. */
  private control(relayId: string, message: RunInput | RunStop): void {
    void this.bus.sendDirect(relayId, { kind: BusKind.JobControl, payload: encode(message) });
  }

  /** Runs of this relay's rooms executing elsewhere, and runs of others' executing here. */
  get counts(): { away: number; hosted: number } {
    return { away: this.away.size, hosted: this.hosted.size };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const runId of [...this.away.keys()]) this.endAway(runId, 'the relay is shutting down');
    await this.bus.advertise(TOPIC, null);
  }

  /** Relays (this one too) whose runners serve `language` now. */
  private serving(language: LanguageId): string[] {
    const relays: string[] = [];
    const now = Date.now();
    for (const [relayId, offer] of this.offers) {
      if (
        relayId !== this.bus.relayId &&
        now - offer.seenAt <= ADVERTISED_STALE_MS &&
        offer.languages.has(language)
      )
        relays.push(relayId);
    }
    if (this.hub.serves(language)) relays.push(this.bus.relayId);
    return relays;
  }

  /** Rendezvous hashing: the same relay for a room while the relays serving the language stay the same. */
  private relayFor(roomId: string, language: LanguageId): string | null {
    if (!this.bus.connected) return null;
    let best: string | null = null;
    let bestScore = '';
    for (const relayId of this.serving(language)) {
      const score = createHash('sha256').update(`${roomId}\n${relayId}`).digest('hex');
      if (score > bestScore) [best, bestScore] = [relayId, score];
    }
    return best;
  }

  /** Ends a run of ours executing elsewhere, and tells that relay to stop it (it may still be at it). */
  private endAway(runId: string, message: string): void {
    const away = this.away.get(runId);
    if (!away) return;
    this.away.delete(runId);
    this.control(away.relayId, { type: MessageType.RunStop, runId });
    away.sink.exit(exitOf(runId, 'error', message, 0));
  }

  /** Says what this relay's runners serve, reads what the others' do, and ends runs on relays gone. */
  private async tick(): Promise<void> {
    // Said even with no runner: the heartbeat also tells the relays whose runs execute here that it lives.
    const languages = this.hub.runnerCount > 0 ? this.hub.languages() : [];
    this.beat++;
    const hosting = [...this.hosted.keys()];
    await this.bus.advertise(TOPIC, JSON.stringify({ languages, beat: this.beat, hosting }));
    const said = await this.bus.advertised(TOPIC);
    const now = Date.now();
    if (said === null) {
      for (const runId of [...this.away.keys()]) {
        this.endAway(runId, 'lost touch with the relay running it (Redis cannot be reached)');
      }
      return;
    }
    const offers = new Map<string, Offer>();
    for (const [relayId, text] of said) {
      const offer = parseOffer(text);
      if (!offer) continue;
      const before = this.offers.get(relayId);
      const seenAt = before && before.beat === offer.beat ? before.seenAt : now;
      if (now - seenAt > FORGET_AFTER_MS) {
        void this.bus.forget(TOPIC, relayId);
        continue;
      }
      offers.set(relayId, { ...offer, seenAt });
    }
    this.offers = offers;
    const alive = (relayId: string) => {
      const offer = offers.get(relayId);
      return offer !== undefined && now - offer.seenAt <= ADVERTISED_STALE_MS ? offer : null;
    };
    for (const [runId, away] of [...this.away]) {
      const offer = alive(away.relayId);
      if (!offer) {
        this.endAway(runId, 'the relay running it went away (its runner’s work is lost): run it again');
        continue;
      }
      // Alive but no longer running it, twice since the job was sent: its exit was lost (a Redis blip).
      if (offer.hosting.has(hostKey(this.bus.relayId, runId))) away.misses = 0;
      else if (away.sentAtBeat === null || offer.beat > away.sentAtBeat + 1) away.misses++;
      if (away.misses >= 2)
        this.endAway(runId, 'the relay running it lost touch with this one: run it again');
    }
    // Runs whose own relay is gone: nobody will see them; their runner slot is for others.
    for (const hosted of this.hosted.values()) {
      if (!alive(hosted.origin)) this.hub.stop(hosted.localId);
    }
  }

  private receive(message: BusMessage): void {
    const from = message.from;
    if (!from) return;
    try {
      if (message.kind === BusKind.JobSubmit)
        this.host(from, message.payload).catch((error: unknown) =>
          this.log.warn('cluster.bad_frame', { kind: message.kind, err: error }),
        );
      else if (message.kind === BusKind.JobControl) this.controlHosted(from, message.payload);
      else if (message.kind === BusKind.JobReport) this.report(from, message.payload);
    } catch (error) {
      this.log.warn('cluster.bad_frame', { kind: message.kind, err: error });
    }
  }

  /** A run of another relay's room, for the runners here. */
  private async host(origin: string, payload: Uint8Array): Promise<void> {
    const decoder = decoding.createDecoder(payload);
    const roomId = decoding.readVarString(decoder);
    const queueMaxPerRoom = decoding.readVarUint(decoder);
    const activeMaxPerRoom = decoding.readVarUint(decoder);
    const job = decode(Direction.RelayToRunner, decoding.readVarUint8Array(decoder));
    if (job.type !== MessageType.RunnerJob) throw new Error('jobSubmit holds a frame that is not runnerJob');
    const { runId } = job;
    const back = (frame: Uint8Array) =>
      void this.bus.sendDirect(origin, { kind: BusKind.JobReport, payload: frame });
    const key = hostKey(origin, runId);
    if (this.hosted.has(key)) {
      back(encode(exitOf(runId, 'error', 'a run with this id is already running', 0)));
      return;
    }
    const hosted: Hosted = { origin, runId, localId: randomUUID(), early: [] };
    this.hosted.set(key, hosted);
    let env: Record<string, string>;
    try {
      env = await this.openEnv(roomId);
    } catch (error) {
      this.hosted.delete(key);
      this.log.error('run.env_failed', { room: roomId, err: error });
      back(encode(exitOf(runId, 'error', 'the project environment could not be read', 0)));
      return;
    }
    // Frames leave with the run's own id again.
    this.hub.submit(
      roomId,
      { ...job, runId: hosted.localId, env },
      {
        output: (output) => back(encode({ ...output, runId })),
        exit: (exit) => {
          this.hosted.delete(key);
          back(encode({ ...exit, runId }));
        },
        queued: (position) => back(encode({ type: MessageType.RunQueued, runId, position })),
      },
      { queueMaxPerRoom, activeMaxPerRoom },
    );
    const early = hosted.early ?? [];
    hosted.early = null;
    // Refused at once (its exit is on its way): what came early goes nowhere.
    if (this.hosted.get(key) !== hosted) return;
    for (const message of early) this.apply(hosted.localId, message);
  }

  /** Typed input or a stop, from the relay the run belongs to. */
  private controlHosted(origin: string, payload: Uint8Array): void {
    const message = decode(Direction.RelayToRunner, payload);
    if (message.type !== MessageType.RunInput && message.type !== MessageType.RunStop) return;
    const hosted = this.hosted.get(hostKey(origin, message.runId));
    if (!hosted) return;
    if (!hosted.early) this.apply(hosted.localId, message);
    else if (hosted.early.length < EARLY_MAX) hosted.early.push(message);
  }

  private apply(localId: string, message: RunInput | RunStop): void {
    if (message.type === MessageType.RunInput) this.hub.input(localId, message.bytes, message.eof);
    else this.hub.stop(localId);
  }

  /** A frame of a run of ours, from the relay executing it. */
  private report(from: string, payload: Uint8Array): void {
    const type = decoding.readVarUint(decoding.createDecoder(payload));
    const message =
      type === MessageType.RunQueued
        ? decode(Direction.RelayToClient, payload)
        : decode(Direction.RunnerToRelay, payload);
    if (
      message.type !== MessageType.RunOutput &&
      message.type !== MessageType.RunExit &&
      message.type !== MessageType.RunQueued
    )
      return;
    const away = this.away.get(message.runId);
    if (!away || away.relayId !== from) return;
    if (message.type === MessageType.RunOutput) away.sink.output(message);
    else if (message.type === MessageType.RunQueued) away.sink.queued(message.position);
    else {
      this.away.delete(message.runId);
      away.sink.exit(message);
    }
  }
}

function parseOffer(text: string): Omit<Offer, 'seenAt'> | null {
  try {
    const value = JSON.parse(text) as { languages?: unknown; beat?: unknown; hosting?: unknown };
    if (!Array.isArray(value.languages) || typeof value.beat !== 'number') return null;
    const languages = value.languages.filter(
      (l): l is LanguageId => typeof l === 'string' && KNOWN_LANGUAGES.has(l),
    );
    const hosting = Array.isArray(value.hosting)
      ? value.hosting.filter((key): key is string => typeof key === 'string')
      : [];
    return { languages: new Set(languages), beat: value.beat, hosting: new Set(hosting) };
  } catch {
    return null;
  }
}
