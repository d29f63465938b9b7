/**
 * Relays sharing rooms (REDIS_URL): what one relay stored or heard in a room
 * reaches every other relay holding that room, over Redis pub/sub, one
 * channel per room (`tandem:room:<id>`). Like Hocuspocus's Redis extension,
 * and unlike y-redis, Redis carries messages only: each relay keeps the room's
 * document in memory and the shared database (DATABASE_URL) is the record.
 *
 * An update is published by the relay that received it, after storing it
 * (the kill -9 rule holds across relays), and applied by the others without
 * being stored again. Redis delivers one channel's messages in the order they
 * were published, so an update never arrives before one it builds on that was
 * published earlier. A relay ignores its own messages.
 *
 * Frame: varString(relayId) varUint(kind) varUint8Array(payload).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../../server/log.js';
import { withTimeout } from '../../server/timeout.js';

export const BusKind = {
  /** A Yjs update the sender has stored. */
  Update: 1,
  /** A y-protocols awareness update from one of the sender's connections. */
  Awareness: 2,
  /** The sender changed the room's settings (stored): read them again. No payload. */
  Settings: 3,
  /** What the sender holds in the room (cluster/presence.ts). Sent on change and every few seconds. */
  Presence: 4,
  /** The sender was cut off from the others for a while: read what it stored meanwhile. No payload. */
  Resync: 5,
  /** A WebRTC signal for a peer the receiver holds: varString(target peer) varUint8Array(signal frame). */
  Signal: 6,
  /** A frame for every connection of the room that said hello (a run's frames): the frame. */
  Broadcast: 7,
  /** The owner muted or let speak a user: varString(user id) varUint(1 audio | 2 video). */
  Mute: 9,
  /** A client's runInput or runStop, checked by the relay it came through: the frame, for the relay running it. */
  RunControl: 8,
  // Relay to relay (sendDirect), for runs executed on another relay's runners (cluster/RunRouter.ts).
  /** varString(roomId) varUint(queueMax) varUint(activeMax) runnerJob frame (without the environment). */
  JobSubmit: 20,
  /** runInput or runStop frame, from the relay the run belongs to. */
  JobControl: 21,
  /** runOutput, runExit or (varUint position after runQueued's type) runQueued frame, back to that relay. */
  JobReport: 22,
} as const;
export type BusKind = (typeof BusKind)[keyof typeof BusKind];

export interface BusMessage {
  kind: BusKind;
  payload: Uint8Array;
  /** The relay that sent it (set on delivery). */
  from?: string;
}

export interface RoomBus {
  /** Delivers the room's messages from other relays to `deliver`; resolves once subscribed. */
  join(roomId: string, deliver: (message: BusMessage) => void): Promise<void>;
  /** Stops delivering the room's messages to `deliver` (a later join's listener stays). */
  leave(roomId: string, deliver: (message: BusMessage) => void): Promise<void>;
  /** Sends a message to every other relay holding the room (fire and forget). */
  publish(roomId: string, message: BusMessage): void;
  /** False while Redis cannot be reached: rooms go on here, unshared. */
  readonly connected: boolean;
  /** Called when Redis is back after an outage: what others stored meanwhile never arrived. */
  onReconnected(callback: () => void): void;
  /**
   * Counts one more under `key` in the current window of `windowSeconds`, for
   * every relay together; resolves with the count so far, or null while Redis
   * cannot be reached (the caller counts alone).
   */
  countInWindow(key: string, windowSeconds: number): Promise<number | null>;
  /** This relay's id (what `from` says of its messages). */
  readonly relayId: string;
  /** Delivers messages sent to this relay alone (sendDirect) to `deliver`. */
  onDirect(deliver: (message: BusMessage) => void): void;
  /** Sends a message to one relay; resolves with whether it was subscribed (it is alive), or null while Redis is away. */
  sendDirect(relayId: string, message: BusMessage): Promise<boolean | null>;
  /** Says (value) or unsays (null) something about this relay under `topic`, for the others to read. */
  advertise(topic: string, value: string | null): Promise<void>;
  /** What every relay said under `topic`, by relay id; null while Redis is away. */
  advertised(topic: string): Promise<Map<string, string> | null>;
  /** Removes what a relay long gone said under `topic`. */
  forget(topic: string, relayId: string): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL_PREFIX = 'tandem:room:';
const DIRECT_PREFIX = 'tandem:relay:';
const ADVERTISED_PREFIX = 'tandem:advertised:';
const QUIT_WAIT_MS = 1_000;
/** A subscribe or unsubscribe unanswered this long means Redis is away. */
const COMMAND_WAIT_MS = 2_000;

const KINDS = new Set<number>(Object.values(BusKind));

export class RedisRoomBus implements RoomBus {
  readonly relayId = randomUUID();
  private readonly listeners = new Map<string, (message: BusMessage) => void>();
  private readonly reconnected: (() => void)[] = [];
  private direct: ((message: BusMessage) => void) | null = null;
  private closed = false;
  /** An outage is under way (logged once, ended by the subscriber's reconnection). */
  private down = false;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly log: Logger,
  ) {
    sub.on('messageBuffer', (channel: Buffer, frame: Buffer) => this.receive(channel.toString(), frame));
    // Errors repeat while Redis is away: the outage is logged once, when it starts and ends.
    for (const client of [pub, sub]) {
      client.on('error', () => undefined);
      client.on('close', () => this.lost());
    }
    // ioredis subscribes again by itself; messages sent meanwhile are gone, so rooms
    // resynchronise. Back means both clients are ready again, whichever was last.
    for (const client of [pub, sub]) client.on('ready', () => this.maybeBack());
  }

  private maybeBack(): void {
    if (!this.down || this.closed || this.pub.status !== 'ready' || this.sub.status !== 'ready') return;
    this.down = false;
    this.log.info('cluster.redis_back');
    for (const callback of this.reconnected) callback();
  }

  get connected(): boolean {
    return !this.down && this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  onReconnected(callback: () => void): void {
    this.reconnected.push(callback);
  }

  async countInWindow(key: string, windowSeconds: number): Promise<number | null> {
    if (this.down || this.closed) return null;
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const counter = `tandem:count:${key}:${window}`;
    try {
      const results = await this.pub
        .multi()
        .incr(counter)
        .expire(counter, windowSeconds * 2)
        .exec();
      const count = results?.[0]?.[1];
      return typeof count === 'number' ? count : null;
    } catch {
      return null;
    }
  }

  private lost(): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.log.error('cluster.redis_down', { note: 'rooms go on, unshared, until Redis is back' });
  }

  /** Connects both clients (one publishes, one subscribes: a subscribed Redis connection does nothing else). */
  static async connect(url: string, log: Logger): Promise<RedisRoomBus> {
    const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);
    // Publishing during an outage fails at once (nothing piles up); the resync after it covers the gap.
    const pub = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy,
    });
    const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy });
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot reach Redis: ${(error as Error).message}`, { cause: error });
    }
    return new RedisRoomBus(pub, sub, log);
  }

  /**
   * While Redis is away the room loads unshared: the subscription is sent when
   * it is back (ioredis queues it), and the resync then covers the gap.
   */
  async join(roomId: string, deliver: (message: BusMessage) => void): Promise<void> {
    this.listeners.set(roomId, deliver);
    const subscribed = this.sub.subscribe(CHANNEL_PREFIX + roomId);
    if (this.down) {
      subscribed.catch(() => undefined);
      return;
    }
    await withTimeout(subscribed, COMMAND_WAIT_MS, 'Redis did not answer').catch(() => this.lost());
  }

  async leave(roomId: string, deliver: (message: BusMessage) => void): Promise<void> {
    if (this.listeners.get(roomId) !== deliver) return; // the room was loaded again since
    this.listeners.delete(roomId);
    // Away, there is nothing to tell it: a subscription it brings back only delivers to no one.
    if (this.closed || this.down || this.sub.status !== 'ready') return;
    await withTimeout(
      this.sub.unsubscribe(CHANNEL_PREFIX + roomId),
      COMMAND_WAIT_MS,
      'Redis did not answer',
    ).catch(() => undefined);
  }

  publish(roomId: string, message: BusMessage): void {
    void this.send(CHANNEL_PREFIX + roomId, message);
  }

  onDirect(deliver: (message: BusMessage) => void): void {
    this.direct = deliver;
    // Subscribed for the relay's life: ioredis subscribes again after an outage by itself.
    this.sub.subscribe(DIRECT_PREFIX + this.relayId).catch(() => this.lost());
  }

  async sendDirect(relayId: string, message: BusMessage): Promise<boolean | null> {
    const receivers = await this.send(DIRECT_PREFIX + relayId, message);
    return receivers === null ? null : receivers > 0;
  }

  async advertise(topic: string, value: string | null): Promise<void> {
    if (this.down || this.closed) return;
    const key = ADVERTISED_PREFIX + topic;
    await (value === null ? this.pub.hdel(key, this.relayId) : this.pub.hset(key, this.relayId, value)).catch(
      () => undefined,
    );
  }

  async forget(topic: string, relayId: string): Promise<void> {
    if (this.down || this.closed) return;
    await this.pub.hdel(ADVERTISED_PREFIX + topic, relayId).catch(() => undefined);
  }

  async advertised(topic: string): Promise<Map<string, string> | null> {
    if (this.down || this.closed) return null;
    try {
      return new Map(Object.entries(await this.pub.hgetall(ADVERTISED_PREFIX + topic)));
    } catch {
      return null;
    }
  }

  /** Publishes a frame; resolves with how many subscribers got it, or null if it could not be sent. */
  private async send(channel: string, message: BusMessage): Promise<number | null> {
    if (this.closed || this.down) return null;
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.relayId);
    encoding.writeVarUint(encoder, message.kind);
    encoding.writeVarUint8Array(encoder, message.payload);
    try {
      return await this.pub.publish(channel, Buffer.from(encoding.toUint8Array(encoder)));
    } catch {
      // A failed publish is an outage only if the publisher is not connected.
      if (this.pub.status !== 'ready') this.lost();
      return null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    // QUIT politely, but never wait on a Redis that is away: shutdown must not hang.
    const quit = Promise.all([this.pub.quit(), this.sub.quit()]).catch(() => undefined);
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, QUIT_WAIT_MS).unref())]);
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private receive(channel: string, frame: Buffer): void {
    const deliver = channel.startsWith(CHANNEL_PREFIX)
      ? this.listeners.get(channel.slice(CHANNEL_PREFIX.length))
      : channel === DIRECT_PREFIX + this.relayId
        ? this.direct
        : null;
    if (!deliver) return;
    let message: BusMessage;
    try {
      const decoder = decoding.createDecoder(frame);
      const from = decoding.readVarString(decoder);
      if (from === this.relayId) return;
      const kind = decoding.readVarUint(decoder);
      if (!KINDS.has(kind)) return;
      message = { kind: kind as BusKind, payload: decoding.readVarUint8Array(decoder), from };
    } catch (error) {
      this.log.warn('cluster.bad_frame', { channel, error: (error as Error).message });
      return;
    }
    deliver(message);
  }
}
