/**
 * For tests: hostile updates built byte by byte (v1 encoding), where building
 * them through Yjs would take too long or overflow the test's own stack.
 */
import * as encoding from 'lib0/encoding';

const CONTENT_TYPE = 7;
const BIT_PARENT_SUB = 0b00100000;
const TYPE_REF_MAP = 1;

/**
 * A chain of `depth` nested Y.Maps written by `client` from clock 0: the first
 * under `root[key]`, each next one under key `c` of the one before. About 9
 * bytes a level.
 */
export function nestedMapsUpdate(depth: number, client: number, root = 'files', key = 'x'): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // one client
  encoding.writeVarUint(encoder, depth);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 0); // first clock
  for (let level = 0; level < depth; level++) {
    encoding.writeUint8(encoder, BIT_PARENT_SUB | CONTENT_TYPE);
    if (level === 0) {
      encoding.writeVarUint(encoder, 1); // parent is a root type, by name
      encoding.writeVarString(encoder, root);
      encoding.writeVarString(encoder, key);
    } else {
      encoding.writeVarUint(encoder, 0); // parent is the item before
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, level - 1);
      encoding.writeVarString(encoder, 'c');
    }
    encoding.writeVarUint(encoder, TYPE_REF_MAP);
  }
  encoding.writeVarUint(encoder, 0); // no delete set
  return encoding.toUint8Array(encoder);
}

/** An update that only deletes `length` clock ticks of `client` from `clock`. */
export function deleteOnlyUpdate(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // no structs
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarUint(encoder, length);
  return encoding.toUint8Array(encoder);
}

/**
 * One character inserted by `client` at clock 0 after an item nobody has ever
 * sent (`missingClient`, `missingClock`): an update that can never be applied.
 */
export function danglingInsertUpdate(
  client: number,
  missingClient: number,
  missingClock: number,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 0);
  encoding.writeUint8(encoder, 0b10000000 | 4); // has an origin; string content
  encoding.writeVarUint(encoder, missingClient);
  encoding.writeVarUint(encoder, missingClock);
  encoding.writeVarString(encoder, 'x');
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}
