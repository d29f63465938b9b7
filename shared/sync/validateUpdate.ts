/**
 * Checks that bytes are a well-formed Yjs v1 update before the relay's document
 * sees them. Yjs itself integrates structs before it reads the delete set, so a
 * malformed tail would leave a half-applied update; a crafted struct count makes
 * it allocate an array of that length. This walk allocates nothing per struct,
 * costs one pass over the bytes, and refuses:
 *   - truncated or out-of-range varints, counts larger than the bytes could hold,
 *     unknown content or type refs, invalid JSON, trailing bytes;
 *   - clocks past CLOCK_MAX (they would lose precision as JS numbers);
 *   - subdocuments (Tandem's schema has none, and each would be a live Y.Doc).
 * Format: y-crdt's update v1 encoding (yjs src/utils/encoding.js).
 */
import * as decoding from 'lib0/decoding';
import { ProtocolError, guard } from '../protocol/fields.js';

const CLOCK_MAX = 2 ** 48;
/** Nesting of arrays and objects in an any value; Yjs decodes them recursively. */
const ANY_DEPTH_MAX = 64;
const INFO_CONTENT_MASK = 0b11111;
const BIT_ORIGIN = 0b10000000;
const BIT_RIGHT_ORIGIN = 0b01000000;
const BIT_PARENT_SUB = 0b00100000;

const enum Ref {
  GC = 0,
  Deleted = 1,
  JSON = 2,
  Binary = 3,
  String = 4,
  Embed = 5,
  Format = 6,
  Type = 7,
  Any = 8,
  Doc = 9,
  Skip = 10,
}
const TYPE_REF_MAX = 6;
const TYPE_REFS_WITH_KEY = new Set([3, 5]); // YXmlElement, YXmlHook

export interface UpdateSummary {
  /** Structs (items, GC, skips) in the update. */
  structs: number;
  /** Delete-set ranges in the update. */
  deleteRanges: number;
}

/** Throws ProtocolError unless `update` is a valid v1 update; the whole array must be the update. */
export function validateUpdate(update: Uint8Array): UpdateSummary {
  const decoder = decoding.createDecoder(update);
  const summary = guard(() => readUpdate(decoder));
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after update');
  return summary;
}

function readUpdate(decoder: decoding.Decoder): UpdateSummary {
  let structs = 0;
  const clients = readCount(decoder, 3);
  for (let c = 0; c < clients; c++) {
    const count = readCount(decoder, 1);
    const client = decoding.readVarUint(decoder);
    let clock = readClock(decoder);
    for (let s = 0; s < count; s++) {
      clock = checkClock(clock + readStruct(decoder, client, clock));
      structs++;
    }
  }
  let deleteRanges = 0;
  const dsClients = readCount(decoder, 2);
  for (let c = 0; c < dsClients; c++) {
    decoding.readVarUint(decoder); // client id
    const ranges = readCount(decoder, 2);
    for (let r = 0; r < ranges; r++) {
      const start = readClock(decoder);
      const length = readClock(decoder);
      // Yjs throws on a zero-length range it has to keep pending.
      if (length === 0) throw new ProtocolError('empty delete range');
      checkClock(start + length);
      deleteRanges++;
    }
  }
  return { structs, deleteRanges };
}

/** Reads the struct of `client` at `clock`; returns its length in clock ticks. */
function readStruct(decoder: decoding.Decoder, client: number, clock: number): number {
  const info = decoding.readUint8(decoder);
  const ref = info & INFO_CONTENT_MASK;
  if (ref === Ref.GC || ref === Ref.Skip) return readClock(decoder);
  // Yjs assumes an item's own client's earlier structs are integrated: a reference
  // to this struct or a later one of that client makes it throw.
  const readEarlierId = () => {
    const idClient = decoding.readVarUint(decoder);
    if (readClock(decoder) >= clock && idClient === client)
      throw new ProtocolError('reference to a later struct');
  };
  if (info & BIT_ORIGIN) readEarlierId();
  if (info & BIT_RIGHT_ORIGIN) readEarlierId();
  if ((info & (BIT_ORIGIN | BIT_RIGHT_ORIGIN)) === 0) {
    const isRootKey = decoding.readVarUint(decoder) === 1;
    if (isRootKey) decoding.readVarString(decoder);
    else readEarlierId();
    if (info & BIT_PARENT_SUB) decoding.readVarString(decoder);
  }
  return readContent(decoder, ref);
}

function readContent(decoder: decoding.Decoder, ref: number): number {
  switch (ref) {
    case Ref.Deleted: {
      const length = readClock(decoder);
      if (length === 0) throw new ProtocolError('empty deleted content');
      return length;
    }
    case Ref.JSON: {
      const count = readCount(decoder, 1);
      for (let i = 0; i < count; i++) {
        const json = decoding.readVarString(decoder);
        if (json !== 'undefined') JSON.parse(json);
      }
      return count;
    }
    case Ref.Binary:
      decoding.readVarUint8Array(decoder);
      return 1;
    case Ref.String: {
      const text = decoding.readVarString(decoder);
      if (text.length === 0) throw new ProtocolError('empty string content');
      return text.length;
    }
    case Ref.Embed:
      JSON.parse(decoding.readVarString(decoder));
      return 1;
    case Ref.Format:
      decoding.readVarString(decoder);
      JSON.parse(decoding.readVarString(decoder));
      return 1;
    case Ref.Type: {
      const typeRef = decoding.readVarUint(decoder);
      if (typeRef > TYPE_REF_MAX) throw new ProtocolError(`unknown type ref ${typeRef}`);
      if (TYPE_REFS_WITH_KEY.has(typeRef)) decoding.readVarString(decoder);
      return 1;
    }
    case Ref.Any: {
      const count = readCount(decoder, 1);
      for (let i = 0; i < count; i++) readAny(decoder);
      return count;
    }
    case Ref.Doc:
      throw new ProtocolError('subdocuments are not supported');
    default:
      throw new ProtocolError(`unknown content ref ${ref}`);
  }
}

/** lib0's readAny, with its type byte checked (lib0 would call an undefined reader). */
function readAny(decoder: decoding.Decoder, depth = 0): void {
  if (depth > ANY_DEPTH_MAX) throw new ProtocolError('any value nested too deeply');
  const type = decoding.peekUint8(decoder);
  if (type < 116 || type > 127) throw new ProtocolError(`unknown any type ${type}`);
  if (type === 118 || type === 117) {
    // object or array: walk it ourselves so nested any types are checked too
    decoding.readUint8(decoder);
    const count = readCount(decoder, 1);
    for (let i = 0; i < count; i++) {
      if (type === 118) decoding.readVarString(decoder);
      readAny(decoder, depth + 1);
    }
    return;
  }
  decoding.readAny(decoder);
}

function readClock(decoder: decoding.Decoder): number {
  return checkClock(decoding.readVarUint(decoder));
}

function checkClock(clock: number): number {
  if (clock > CLOCK_MAX) throw new ProtocolError('clock out of range');
  return clock;
}

/** A count that cannot exceed what the remaining bytes could hold at `minBytes` each. */
function readCount(decoder: decoding.Decoder, minBytes: number): number {
  const count = decoding.readVarUint(decoder);
  if (count * minBytes > decoder.arr.length - decoder.pos)
    throw new ProtocolError('count exceeds message size');
  return count;
}
