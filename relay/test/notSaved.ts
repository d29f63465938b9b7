/**
 * Storage that fails for a while (a full disk, a database restarting), seen
 * by the people in a room: one scenario, run against each kind of trouble.
 * The relay stops acknowledging, tells everyone "not saved" with the reason,
 * keeps serving (health answers, a newcomer joins and is told too), sends
 * nobody a change it has not stored, and saves by itself once the trouble
 * ends: then the acknowledgement comes and everyone gets the change.
 */
import { expect } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType } from '../../shared/protocol/table.js';
import { addFile } from '../../shared/schema/project.js';
import {
  RawClient,
  connectSynced,
  frameSyncStep1,
  frameTandem,
  health,
  isTandem,
  textOf,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';
import { createRoom, type CreatedRoom, type RelayProcess } from './harness.js';

/** More than a tmpfs page, so no write of it fits in what a file's last page has left. */
export const BIG = `${'a full disk must not lose this line\n'.repeat(400)}`;

export interface Trouble {
  /** Makes storing fail. */
  begin(): Promise<void>;
  /** Lets it succeed again (called once, whatever happens). */
  end(): Promise<void>;
  /** What the "not saved" sentence says of the reason. */
  reason: RegExp;
}

/**
 * Types `before.txt` (acknowledged), then `during.txt` (BIG) while the
 * trouble lasts, checking everything above. Returns the room, for the caller
 * to check what was stored.
 */
export async function typeThroughTrouble(
  relay: RelayProcess,
  peers: Peer[],
  trouble: Trouble,
): Promise<CreatedRoom> {
  const room = await createRoom(relay.url, { name: 'storage trouble' });
  const writer = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
  await writer.helloAndSync();
  writer.change((doc) => addFile(doc, 'before.txt', 'acknowledged\n'));
  await writer.fence();
  const reader = await connectSynced(relay.wsUrl, room.roomId, room.token);
  peers.push(reader);
  await waitFor(() => textOf(reader.doc, 'before.txt') === 'acknowledged\n', 'the reader has before.txt');

  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await trouble.end();
  };
  const joiner = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
  try {
    await trouble.begin();
    const from = writer.frames.length;
    writer.change((doc) => addFile(doc, 'during.txt', BIG));
    writer.send(frameTandem({ type: MessageType.SyncStatus, counter: 7 }));
    const refusal = await writer.waitForFrame(isTandem(MessageType.Error), 'the not-saved error', {
      from,
      timeoutMs: 20_000,
    });
    expect(refusal.message.code).toBe(ErrorCode.NotSaved);
    expect(refusal.message.message).toMatch(trouble.reason);

    // It keeps serving: health answers, someone joins and is told too; but nobody
    // gets the unsaved change, the joiner not even a document that has it.
    expect((await health(relay.url)).status).toBe(200);
    await joiner.hello();
    joiner.send(frameSyncStep1(joiner.doc));
    const told = await joiner.waitForFrame(isTandem(MessageType.Error), 'the joiner told');
    expect(told.message.code).toBe(ErrorCode.NotSaved);
    const acked = () =>
      writer.frames
        .slice(from)
        .some(
          (f) => f.kind === 'tandem' && f.message.type === MessageType.SyncStatus && f.message.counter === 7,
        );
    expect(acked()).toBe(false);
    expect(textOf(reader.doc, 'during.txt')).toBeUndefined();
    expect(textOf(joiner.doc, 'during.txt')).toBeUndefined();

    await end();
    await writer.until(acked, 'the acknowledgement once the trouble ended', 30_000);
    await waitFor(() => textOf(reader.doc, 'during.txt') === BIG, 'the reader gets during.txt');
    await waitFor(() => textOf(joiner.doc, 'during.txt') === BIG, 'the joiner gets during.txt');
    expect(writer.closeInfo).toBeNull();
  } finally {
    await end();
    joiner.close();
    writer.close();
  }
  return room;
}
