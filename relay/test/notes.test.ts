/**
 * An interview room's private notes: a document of their own, served only to
 * interviewers. The candidate is refused before any upgrade, and no frame the
 * relay sends on the candidate's project socket carries a byte of the notes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { notesText } from '../../shared/schema/notes.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  attemptUpgrade,
  claimsOf,
  connectSynced,
  frameSyncStep1,
  isRoomState,
  RawClient,
  request,
  tokenFromLink,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';

const MARKER = 'SECRET-hire-signal-4f1c';
const NOTES_ROUTE = (roomId: string) => `${roomId}/notes`;

let relay: RelayProcess;
let room: CreatedRoom;
let candidateToken: string;
let interviewerToken: string;
let viewerToken: string;
const peers: Peer[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
  room = await createRoom(relay.url, { name: 'interview', kind: 'interview', ownerName: 'Ivy' });
  candidateToken = tokenFromLink(room.links.edit);
  interviewerToken = tokenFromLink(room.links.interviewer!);
  viewerToken = tokenFromLink(room.links.view);
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  for (const raw of raws) raw.terminate();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

/** The notes socket's URL: `/yjs/:roomId/notes`, the slash unescaped as y-websocket sends it. */
function notesUrl(roomId: string, token: string): string {
  return `${relay.wsUrl}/yjs/${NOTES_ROUTE(roomId)}?token=${encodeURIComponent(token)}`;
}

async function candidateSocket(): Promise<RawClient> {
  const raw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, candidateToken));
  raws.push(raw);
  await raw.hello();
  raw.send(frameSyncStep1());
  await raw.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'candidate synced');
  return raw;
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('private notes', () => {
  it('links name the interviewer and the candidate; roomState says who may open the notes', async () => {
    expect(room.links.interviewer).toBeDefined();
    const candidate = await candidateSocket();
    await candidate.until(() => candidate.frames.some(isRoomState), 'roomState');
    const state = candidate.frames.find(isRoomState)!.message;
    expect(state).toMatchObject({ notes: false, canEdit: true, settings: { kind: 'interview' } });
    const interviewer = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, interviewerToken));
    raws.push(interviewer);
    await interviewer.hello();
    await interviewer.until(() => interviewer.frames.some(isRoomState), 'roomState');
    expect(interviewer.frames.find(isRoomState)!.message).toMatchObject({ notes: true, canEdit: true });
  });

  it('never sends a byte of the notes to the candidate, while interviewers share them live', async () => {
    const candidate = await candidateSocket();
    const candidatePeer = await connectSynced(relay.wsUrl, room.roomId, candidateToken);
    peers.push(candidatePeer);
    const owner = await connectSynced(relay.wsUrl, NOTES_ROUTE(room.roomId), room.token);
    const interviewer = await connectSynced(relay.wsUrl, NOTES_ROUTE(room.roomId), interviewerToken);
    peers.push(owner, interviewer);

    notesText(owner.doc).insert(0, `Strong on recursion. ${MARKER}\n`);
    // Activity on the project meanwhile, so the candidate's socket is busy too.
    candidatePeer.doc.getText('scratch').insert(0, 'def solve(): pass\n');
    await waitFor(() => notesText(interviewer.doc).toString().includes(MARKER), 'notes reach interviewer');
    await candidate.fence();

    const marker = new TextEncoder().encode(MARKER);
    expect(candidate.frames.length).toBeGreaterThan(3);
    for (const frame of candidate.frames) expect(containsBytes(frame.bytes, marker)).toBe(false);
    expect(notesText(candidate.doc).toString()).toBe('');
    expect(notesText(candidatePeer.doc).toString()).toBe('');
    // The notes' Yjs client never shows up in anything the candidate holds.
    const notesClient = owner.doc.clientID;
    expect(Y.decodeStateVector(Y.encodeStateVector(candidate.doc)).has(notesClient)).toBe(false);
    const files = await request(`${relay.url}/api/rooms/${room.roomId}/files`, { token: candidateToken });
    expect(files.text).not.toContain(MARKER);
  });

  it('refuses the candidate, observers and other rooms before the upgrade', async () => {
    for (const token of [candidateToken, viewerToken]) {
      const attempt = await attemptUpgrade(notesUrl(room.roomId, token));
      expect(attempt).toMatchObject({ status: 403, opened: false, messages: 0 });
      expect(attempt.body).toMatchObject({ error: { code: ErrorCode.Forbidden } });
    }
    const other = await createRoom(relay.url, { kind: 'interview' });
    const crossRoom = await attemptUpgrade(notesUrl(other.roomId, interviewerToken));
    expect(crossRoom).toMatchObject({ status: 403, opened: false });
    const pair = await createRoom(relay.url, {});
    const noNotes = await attemptUpgrade(notesUrl(pair.roomId, pair.token));
    expect(noNotes).toMatchObject({ status: 404, opened: false });
    const dotted = await attemptUpgrade(yjsUrl(relay.wsUrl, `${room.roomId}.notes`, room.token));
    expect(dotted).toMatchObject({ status: 404, opened: false });
  });

  it('keeps the notes across reconnects, and mints interviewer tokens only in interview rooms', async () => {
    const again = await connectSynced(relay.wsUrl, NOTES_ROUTE(room.roomId), room.token);
    peers.push(again);
    expect(notesText(again.doc).toString()).toContain(MARKER);
    const minted = await mintToken(relay.url, room.roomId, room.token, { role: 'interviewer', name: 'Ian' });
    const attempt = await attemptUpgrade(notesUrl(room.roomId, minted));
    expect(attempt.opened).toBe(true);
    const pair = await createRoom(relay.url, {});
    const refused = await request(`${relay.url}/api/rooms/${pair.roomId}/tokens`, {
      method: 'POST',
      token: pair.token,
      body: { role: 'interviewer' },
    });
    expect(refused.status).toBe(400);
  });

  it('removing an interviewer closes their notes socket too, and it does not open again', async () => {
    const ian = await mintToken(relay.url, room.roomId, room.token, { role: 'interviewer', name: 'Ian' });
    const notes = await RawClient.connect(notesUrl(room.roomId, ian));
    raws.push(notes);
    const kicked = await request(`${relay.url}/api/rooms/${room.roomId}/kick`, {
      method: 'POST',
      token: room.token,
      body: { userId: claimsOf(ian).uid },
    });
    expect(kicked).toMatchObject({ status: 200, body: { closed: 1 } });
    expect((await notes.waitClosed()).code).toBe(CloseCode.Removed);
    const again = await attemptUpgrade(notesUrl(room.roomId, ian));
    expect(again).toMatchObject({ status: 403, opened: false, body: { error: { code: ErrorCode.Removed } } });
  });
});
