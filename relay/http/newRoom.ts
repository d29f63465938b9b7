/**
 * Creating a room: stores the record and its first update (a seeded document)
 * together, and answers with the owner's token and the share links. New rooms,
 * forks and forks from a point in history all come through here.
 */
import type { Context } from 'hono';
import * as Y from 'yjs';
import { Role } from '../../shared/roles.js';
import { RoomKind } from '../../shared/rooms.js';
import type { TokenClaims } from '../../shared/token.js';
import { randomId, type TokenSigner } from '../auth/tokens.js';
import type { RelayConfig } from '../config.js';
import type { Logger } from '../../server/log.js';
import { defaultPolicy } from '../storage/policy.js';
import type { Storage } from '../storage/Storage.js';
import { CreatedRoomAnswer } from '../../shared/api/answers.js';
import { answer } from './validate.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType } from '../../shared/protocol/table.js';
import type { Room } from '../rooms/Room.js';

export const DEFAULT_GUEST_NAME = 'Guest';

export interface NewRoomDeps {
  config: RelayConfig;
  storage: Storage;
  signer: TokenSigner;
  log: Logger;
}

export interface NewRoom {
  name: string;
  ownerName: string;
  template: string | null;
  /** Pair (the default) or interview. */
  kind?: RoomKind;
  /** Extra fields for the `room.created` log line (e.g. what it was forked from). */
  log?: Record<string, string | number>;
}

/** Signs claims that expire `ttlSeconds` from now. */
export function issueToken(
  signer: TokenSigner,
  claims: Omit<TokenClaims, 'exp'>,
  ttlSeconds: number,
): string {
  return signer.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + ttlSeconds });
}

/** Stores a new room seeded by `seed` and answers 201 with its owner token and links. */
export async function createRoom(
  deps: NewRoomDeps,
  c: Context,
  room: NewRoom,
  seed: (doc: Y.Doc) => void,
): Promise<Response> {
  const { config, storage, signer, log } = deps;
  const roomId = randomId(12);
  const ownerId = randomId(9);
  const doc = new Y.Doc();
  seed(doc);
  const now = Date.now();
  const policy = { ...defaultPolicy(), kind: room.kind ?? RoomKind.Pair };
  await storage.createRoom(
    { id: roomId, name: room.name, ownerId, createdAt: now, template: room.template, policy },
    { at: now, author: 'system', data: Y.encodeStateAsUpdate(doc) },
  );
  doc.destroy();
  log.info('room.created', { room: roomId, template: room.template, kind: policy.kind, ...room.log });
  const base = config.publicUrl ?? new URL(c.req.url).origin;
  const ttl = config.tokenTtlSeconds;
  const link = (role: Role) =>
    `${base}/r/${roomId}#token=${issueToken(signer, { room: roomId, uid: randomId(9), name: DEFAULT_GUEST_NAME, role, link: policy.linkGeneration }, ttl)}`;
  return answer(
    c,
    CreatedRoomAnswer,
    {
      roomId,
      token: issueToken(signer, { room: roomId, uid: ownerId, name: room.ownerName, role: Role.Owner }, ttl),
      links: {
        edit: link(Role.Editor),
        view: link(Role.Viewer),
        ...(policy.kind === RoomKind.Interview && { interviewer: link(Role.Interviewer) }),
      },
    },
    201,
  );
}

/** Tells everyone connected to `source` that someone copied it into a room of their own. */
export function announceFork(source: Room, claims: Pick<TokenClaims, 'uid' | 'name'>, atSeq: number): void {
  source.broadcastTandem(encode({ type: MessageType.Forked, userId: claims.uid, name: claims.name, atSeq }));
}
