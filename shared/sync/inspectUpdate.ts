/**
 * Decides what the relay does with a well-formed update (see validateUpdate.ts)
 * before its document sees it, looking at the update and the document together:
 *
 *   - `wait`: it builds on structs or deletes changes the document does not have
 *     yet (a gap in a client's clock, an origin or parent nobody sent). Yjs would
 *     park such parts as "pending" and re-merge them on every later update, which
 *     grows quadratically; the relay holds the whole update itself instead, with
 *     a cap, and applies it once what it needs has arrived.
 *   - `refuse`: applying it would break a rule of the room, checked here because
 *     once applied it could not be taken back:
 *       - a shared type nested deeper than `typeDepthMax` (deleting a deep chain
 *         makes Yjs recurse out of stack half-way through, in every client);
 *       - a chat entry whose `userId` is not the sender's (chat is attributed);
 *       - a file path that `isValidPath` refuses (`..`, control, bidi or
 *         zero-width characters).
 *   - `apply`: none of that; Yjs can integrate all of it now.
 *
 * Structs the document already has are skipped, as Yjs skips them: forwarding
 * someone else's changes is fine. Every struct's place (its parent type and map
 * key) is worked out as Yjs would: from its origin, else its right origin, else
 * its explicit parent; an origin that was garbage-collected makes the struct
 * garbage too, so nothing is checked for it.
 * Format: y-crdt's update v1 encoding (yjs src/utils/encoding.js).
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { isValidPath } from '../schema/paths.js';
import { CHAT_KEY, FILES_KEY, FOLDERS_KEY } from '../schema/project.js';

/** Deepest nesting of shared types a room accepts (Tandem's own schema uses 2). */
export const TYPE_DEPTH_MAX = 32;

export type Verdict =
  /** `fresh`: it holds structs the document does not have yet (else only deletes, or nothing new). */
  | { readonly kind: 'apply'; readonly fresh: boolean }
  /** Try again once the document holds `client`'s struct at `clock`. */
  | { readonly kind: 'wait'; readonly client: number; readonly clock: number }
  | { readonly kind: 'refuse'; readonly reason: string };

export interface InspectRules {
  /** The sender's user id: chat entries they add must carry it. Null: chat is not checked. */
  userId: string | null;
  typeDepthMax?: number;
  /** Check file paths (default true). */
  paths?: boolean;
}

const APPLY_FRESH: Verdict = Object.freeze({ kind: 'apply', fresh: true });
const APPLY_KNOWN: Verdict = Object.freeze({ kind: 'apply', fresh: false });
const wait = (client: number, clock: number): Verdict => ({ kind: 'wait', client, clock });
const refuse = (reason: string): Verdict => ({ kind: 'refuse', reason });

const INFO_CONTENT_MASK = 0b11111;
const BIT_ORIGIN = 0b10000000;
const BIT_RIGHT_ORIGIN = 0b01000000;
const BIT_PARENT_SUB = 0b00100000;
const REF_GC = 0;
const REF_DELETED = 1;
const REF_STRING = 4;
const REF_TYPE = 7;
const REF_ANY = 8;
const REF_SKIP = 10;
const TYPE_REF_MAP = 1;
const NONE = -1;

/** One struct of the update, as read. */
interface Struct {
  client: number;
  clock: number;
  length: number;
  /** GC or Skip: takes clock space, holds nothing. */
  empty: boolean;
  originClient: number;
  originClock: number;
  rightClient: number;
  rightClock: number;
  parentRoot: string | null;
  parentClient: number;
  parentClock: number;
  parentSub: string | null;
  ref: number;
  typeRef: number;
  /** Decoder position of the content, to read values that a rule checks. */
  contentPos: number;
  place: Place | null;
}

/** Where a struct lives: its parent type and map key. `dead`: it will be garbage. */
interface Place {
  dead: boolean;
  root: string | null;
  /** Depth of the parent type: a root type is 0. */
  depth: number;
  sub: string | null;
  /** The parent type is a Y.Map sitting directly in a root type. */
  parentIsTopMap: boolean;
}

const DEAD: Place = Object.freeze({ dead: true, root: null, depth: 0, sub: null, parentIsTopMap: false });

/** What an id points at: a struct of the update or an item of the document. */
type Target = { struct: Struct } | { item: Y.Item } | { gc: true };

export function inspectUpdate(update: Uint8Array, doc: Y.Doc, rules: InspectRules): Verdict {
  const depthMax = rules.typeDepthMax ?? TYPE_DEPTH_MAX;
  const decoder = decoding.createDecoder(update);
  const byClient = new Map<number, Struct[]>();
  /** Per client: the clock up to which the document plus this update hold every struct. */
  const reach = new Map<number, number>();
  const state = (client: number) => Y.getState(doc.store, client);
  const known = (client: number, clock: number) => clock < (reach.get(client) ?? state(client));

  const groups = decoding.readVarUint(decoder);
  for (let g = 0; g < groups; g++) {
    const count = decoding.readVarUint(decoder);
    const client = decoding.readVarUint(decoder);
    let clock = decoding.readVarUint(decoder);
    let reached = state(client);
    const structs: Struct[] = [];
    for (let s = 0; s < count; s++) {
      const struct = readStruct(decoder, client, clock);
      // A skip is a hole in the update; a struct past what is known leaves a gap
      // Yjs cannot integrate yet.
      if (struct.ref !== REF_SKIP) {
        if (struct.clock > reached) return wait(client, struct.clock - 1);
        reached = Math.max(reached, struct.clock + struct.length);
      }
      structs.push(struct);
      clock += struct.length;
    }
    byClient.set(client, structs);
    reach.set(client, reached);
  }
  const dsClients = decoding.readVarUint(decoder);
  for (let c = 0; c < dsClients; c++) {
    const client = decoding.readVarUint(decoder);
    const ranges = decoding.readVarUint(decoder);
    for (let r = 0; r < ranges; r++) {
      const clock = decoding.readVarUint(decoder);
      const length = decoding.readVarUint(decoder);
      if (!known(client, clock + length - 1)) return wait(client, clock + length - 1);
    }
  }

  for (const structs of byClient.values()) {
    for (const struct of structs) {
      if (struct.empty || struct.clock + struct.length <= state(struct.client)) continue;
      if (struct.originClient !== NONE && !known(struct.originClient, struct.originClock)) {
        return wait(struct.originClient, struct.originClock);
      }
      if (struct.rightClient !== NONE && !known(struct.rightClient, struct.rightClock)) {
        return wait(struct.rightClient, struct.rightClock);
      }
      if (struct.parentClient !== NONE && !known(struct.parentClient, struct.parentClock)) {
        return wait(struct.parentClient, struct.parentClock);
      }
    }
  }

  const find = (client: number, clock: number): Target => {
    if (clock < state(client)) {
      const found = Y.getItem(doc.store, Y.createID(client, clock)) as Y.Item | Y.GC;
      return found instanceof Y.Item ? { item: found } : { gc: true };
    }
    const structs = byClient.get(client)!;
    let lo = 0;
    let hi = structs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (structs[mid]!.clock <= clock) lo = mid;
      else hi = mid - 1;
    }
    const struct = structs[lo]!;
    return struct.empty ? { gc: true } : { struct };
  };

  /** The struct of this update whose place decides `struct`'s, if any. */
  const decidedBy = (struct: Struct): Struct | null => {
    if (struct.originClient !== NONE || struct.rightClient !== NONE) {
      const left = struct.originClient !== NONE ? find(struct.originClient, struct.originClock) : null;
      const right = struct.rightClient !== NONE ? find(struct.rightClient, struct.rightClock) : null;
      if ((left && 'gc' in left) || (right && 'gc' in right)) return null;
      const sibling = (left ?? right)!;
      return 'struct' in sibling ? sibling.struct : null;
    }
    if (struct.parentRoot !== null) return null;
    const parent = find(struct.parentClient, struct.parentClock);
    return 'struct' in parent && parent.struct.ref === REF_TYPE ? parent.struct : null;
  };

  const resolve = (struct: Struct): Place => {
    if (struct.originClient !== NONE || struct.rightClient !== NONE) {
      const left = struct.originClient !== NONE ? find(struct.originClient, struct.originClock) : null;
      const right = struct.rightClient !== NONE ? find(struct.rightClient, struct.rightClock) : null;
      if ((left && 'gc' in left) || (right && 'gc' in right)) return DEAD;
      const sibling = (left ?? right)!;
      return 'struct' in sibling
        ? sibling.struct.place!
        : 'item' in sibling
          ? placeOfItem(sibling.item)
          : DEAD;
    }
    if (struct.parentRoot !== null) {
      return { dead: false, root: struct.parentRoot, depth: 0, sub: struct.parentSub, parentIsTopMap: false };
    }
    return childPlace(find(struct.parentClient, struct.parentClock), struct.parentSub);
  };

  // Iterative, not recursive: a hostile update can chain any number of structs.
  const placeOf = (struct: Struct): Place => {
    const chain: Struct[] = [];
    for (let next: Struct | null = struct; next !== null && next.place === null; next = decidedBy(next)) {
      chain.push(next);
    }
    for (let i = chain.length - 1; i >= 0; i--) chain[i]!.place = resolve(chain[i]!);
    return struct.place!;
  };

  let fresh = false;
  for (const structs of byClient.values()) {
    for (const struct of structs) {
      if (struct.clock + struct.length <= state(struct.client)) continue;
      if (struct.ref !== REF_SKIP) fresh = true;
      if (struct.empty) continue;
      const place = placeOf(struct);
      if (place.dead) continue;
      if (struct.ref === REF_TYPE && place.depth + 1 > depthMax) {
        return refuse(`shared types nested deeper than ${depthMax} levels`);
      }
      const problem = checkContent(update, struct, place, rules);
      if (problem) return refuse(problem);
    }
  }
  return fresh ? APPLY_FRESH : APPLY_KNOWN;
}

/** A struct whose explicit parent is the type held by `parent` (a struct of the update already placed). */
function childPlace(parent: Target, sub: string | null): Place {
  if ('gc' in parent) return DEAD;
  if ('struct' in parent) {
    const holder = parent.struct;
    // Yjs turns a child of anything but a type into garbage.
    if (holder.ref !== REF_TYPE) return DEAD;
    const outer = holder.place!;
    if (outer.dead) return DEAD;
    return {
      dead: false,
      root: outer.root,
      depth: outer.depth + 1,
      sub,
      parentIsTopMap: outer.depth === 0 && holder.typeRef === TYPE_REF_MAP,
    };
  }
  const content = parent.item.content;
  if (!(content instanceof Y.ContentType)) return DEAD;
  return typePlace(content.type, sub);
}

function placeOfItem(item: Y.Item): Place {
  const parent = item.parent;
  if (!(parent instanceof Y.AbstractType)) return DEAD;
  return typePlace(parent, item.parentSub);
}

interface TypeInfo {
  root: string;
  depth: number;
  isTopMap: boolean;
}

/** Where a type sits never changes: worked out once per type (typing keeps hitting the same Y.Text). */
const typeInfos = new WeakMap<Y.AbstractType<unknown>, TypeInfo>();

function typeInfo(type: Y.AbstractType<unknown>): TypeInfo {
  let info = typeInfos.get(type);
  if (info) return info;
  let depth = 0;
  let root = type;
  for (let up = type.parent; up !== null; up = up.parent) {
    depth++;
    root = up;
  }
  info = { root: Y.findRootTypeKey(root), depth, isTopMap: depth === 1 && type instanceof Y.Map };
  typeInfos.set(type, info);
  return info;
}

/** The place of a child of `type` under key `sub`. */
function typePlace(type: Y.AbstractType<unknown>, sub: string | null): Place {
  const { root, depth, isTopMap } = typeInfo(type);
  return { dead: false, root, depth, sub, parentIsTopMap: isTopMap };
}

/** The rules on what a struct holds, by where it goes; a reason to refuse, or null. */
function checkContent(update: Uint8Array, struct: Struct, place: Place, rules: InspectRules): string | null {
  if (rules.userId !== null && place.root === CHAT_KEY && place.depth === 0 && place.sub === null) {
    if (struct.ref === REF_DELETED) return null;
    if (struct.ref !== REF_ANY) return 'chat entries must be plain messages';
    for (const value of readAnyValues(update, struct.contentPos)) {
      const userId =
        typeof value === 'object' && value !== null ? (value as { userId?: unknown }).userId : null;
      if (userId !== rules.userId) return 'chat entries must carry your own user id';
    }
    return null;
  }
  if (rules.paths !== false && place.root === FILES_KEY && place.parentIsTopMap && place.sub === 'path') {
    if (struct.ref === REF_DELETED) return null;
    const [path] = struct.ref === REF_ANY ? readAnyValues(update, struct.contentPos) : [undefined];
    if (typeof path !== 'string' || !isValidPath(path)) {
      return `file path ${JSON.stringify(String(path).slice(0, 80))} is not allowed`;
    }
  }
  if (rules.paths !== false && place.root === FOLDERS_KEY && place.depth === 0 && place.sub !== null) {
    if (struct.ref !== REF_DELETED && !isValidPath(place.sub)) {
      return `folder path ${JSON.stringify(place.sub.slice(0, 80))} is not allowed`;
    }
  }
  return null;
}

function readAnyValues(update: Uint8Array, pos: number): unknown[] {
  const decoder = decoding.createDecoder(update);
  decoder.pos = pos;
  const count = decoding.readVarUint(decoder);
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) values.push(decoding.readAny(decoder));
  return values;
}

function readId(decoder: decoding.Decoder): [number, number] {
  const client = decoding.readVarUint(decoder);
  return [client, decoding.readVarUint(decoder)];
}

function readStruct(decoder: decoding.Decoder, client: number, clock: number): Struct {
  const info = decoding.readUint8(decoder);
  const ref = info & INFO_CONTENT_MASK;
  const struct: Struct = {
    client,
    clock,
    length: 0,
    empty: ref === REF_GC || ref === REF_SKIP,
    originClient: NONE,
    originClock: NONE,
    rightClient: NONE,
    rightClock: NONE,
    parentRoot: null,
    parentClient: NONE,
    parentClock: NONE,
    parentSub: null,
    ref,
    typeRef: NONE,
    contentPos: 0,
    place: null,
  };
  if (struct.empty) {
    struct.length = decoding.readVarUint(decoder);
    return struct;
  }
  if (info & BIT_ORIGIN) [struct.originClient, struct.originClock] = readId(decoder);
  if (info & BIT_RIGHT_ORIGIN) [struct.rightClient, struct.rightClock] = readId(decoder);
  if ((info & (BIT_ORIGIN | BIT_RIGHT_ORIGIN)) === 0) {
    if (decoding.readVarUint(decoder) === 1) struct.parentRoot = decoding.readVarString(decoder);
    else [struct.parentClient, struct.parentClock] = readId(decoder);
    if (info & BIT_PARENT_SUB) struct.parentSub = decoding.readVarString(decoder);
  }
  struct.contentPos = decoder.pos;
  struct.length = skipContent(decoder, struct);
  return struct;
}

/** Moves past a struct's content (already validated); returns its length in clock ticks. */
function skipContent(decoder: decoding.Decoder, struct: Struct): number {
  switch (struct.ref) {
    case REF_DELETED:
      return decoding.readVarUint(decoder);
    case 2: {
      const count = decoding.readVarUint(decoder);
      for (let i = 0; i < count; i++) decoding.readVarString(decoder);
      return count;
    }
    case 3:
      decoding.readVarUint8Array(decoder);
      return 1;
    case REF_STRING:
      return decoding.readVarString(decoder).length;
    case 5:
      decoding.readVarString(decoder);
      return 1;
    case 6:
      decoding.readVarString(decoder);
      decoding.readVarString(decoder);
      return 1;
    case REF_TYPE: {
      struct.typeRef = decoding.readVarUint(decoder);
      if (struct.typeRef === 3 || struct.typeRef === 5) decoding.readVarString(decoder);
      return 1;
    }
    case REF_ANY: {
      const count = decoding.readVarUint(decoder);
      for (let i = 0; i < count; i++) decoding.readAny(decoder);
      return count;
    }
    default:
      // validateUpdate refuses every other ref before the relay inspects an update.
      throw new Error(`unexpected content ref ${struct.ref}`);
  }
}
