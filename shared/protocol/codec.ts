/**
 * Encoding and decoding of every message, from the table (table.ts). One frame
 * is one message: `varUint(type)` then its fields in order, and nothing after
 * them. `decode(direction, bytes)` refuses a type that does not travel that
 * way, a field that does not validate and trailing bytes, all as
 * ProtocolError; receivers switch on the narrowed union it returns.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { guard, ProtocolError, type Field } from './fields.js';
import { PROTOCOL, type Direction, type Message, type MessageIn, type MessageName } from './table.js';

/** A JSON body is at most this long (roomState carries the room's settings). */
const JSON_BODY_MAX_CHARS = 256 * 1024;

interface Entry {
  name: MessageName;
  travels: ReadonlySet<Direction>;
  fields: [string, Field<unknown>][] | null;
  json: ((value: unknown) => object) | null;
}

const BY_TYPE = new Map<number, Entry>(
  Object.entries(PROTOCOL).map(([name, spec]) => [
    spec.type,
    {
      name: name as MessageName,
      travels: new Set<Direction>(spec.travels),
      fields: 'fields' in spec ? (Object.entries(spec.fields) as [string, Field<unknown>][]) : null,
      json: 'json' in spec ? (spec.json as (value: unknown) => object) : null,
    },
  ]),
);

/** Whether a message of `type` may travel `direction`. */
export function travels(type: number, direction: Direction): boolean {
  return BY_TYPE.get(type)?.travels.has(direction) ?? false;
}

/** The table's name of a type, for logs and errors. */
export function messageName(type: number): string {
  return BY_TYPE.get(type)?.name ?? `unknown type ${type}`;
}

export function encode(message: Message): Uint8Array {
  const encoder = encoding.createEncoder();
  writeMessage(encoder, message);
  return encoding.toUint8Array(encoder);
}

export function writeMessage(encoder: encoding.Encoder, message: Message): void {
  const entry = BY_TYPE.get(message.type)!;
  encoding.writeVarUint(encoder, message.type);
  const values = message as unknown as Record<string, unknown>;
  if (entry.json) {
    const { type: _type, ...body } = values;
    encoding.writeVarString(encoder, JSON.stringify(body));
    return;
  }
  for (const [key, field] of entry.fields!) field.write(encoder, values[key]);
}

/** Decodes one whole frame that arrived by `direction`. */
export function decode<D extends Direction>(direction: D, bytes: Uint8Array): MessageIn<D> {
  if (bytes.byteLength === 0) throw new ProtocolError('empty frame');
  const decoder = decoding.createDecoder(bytes);
  const type = guard(() => decoding.readVarUint(decoder));
  const entry = BY_TYPE.get(type);
  if (!entry) throw new ProtocolError(`unknown message type ${type}`);
  if (!entry.travels.has(direction)) {
    throw new ProtocolError(`message type ${type} (${entry.name}) does not travel ${direction}`);
  }
  const message = guard(() => readBody(decoder, type, entry));
  if (decoding.hasContent(decoder)) throw new ProtocolError(`trailing bytes after message ${type}`);
  return message as MessageIn<D>;
}

function readBody(decoder: decoding.Decoder, type: number, entry: Entry): Message {
  if (entry.json) {
    const text = decoding.readVarString(decoder);
    if (text.length > JSON_BODY_MAX_CHARS) throw new ProtocolError(`${entry.name} too large`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ProtocolError(`${entry.name} is not JSON`);
    }
    return { type, ...entry.json(value) } as Message;
  }
  const message: Record<string, unknown> = { type };
  for (const [key, field] of entry.fields!) message[key] = field.read(decoder);
  return message as Message;
}

/**
 * The `default` of a receiver's switch over a decoded union: with a case for
 * every type that may arrive, `message` is `never` and this compiles; a type
 * added to the table for this direction without a handler does not.
 */
export function unhandled(message: never): never {
  throw new Error(`no handler for message ${JSON.stringify(message)}`);
}

/**
 * PROTOCOL.md's grammar, from the table: what may travel each way, every
 * message (its direction and what it is for), then the rules they refer to. A
 * test holds the document to this.
 */
export function protocolGrammar(): string {
  const names = Object.keys(PROTOCOL) as MessageName[];
  const directions = [...new Set(names.flatMap((name) => PROTOCOL[name].travels))];
  const heads = [...directions.map(directionRule), ...names.map(ruleName)];
  const width = Math.max(...heads.map((head) => head.length));
  const rule = (head: string, body: string) => `${head.padEnd(width)} = ${body}`;
  const lines = directions.map((direction) =>
    rule(
      directionRule(direction),
      names
        .filter((name) => (PROTOCOL[name].travels as readonly Direction[]).includes(direction))
        .map(ruleName)
        .join(' | '),
    ),
  );
  lines.push('');
  const shared = new Set<string>();
  for (const name of names) {
    const spec = PROTOCOL[name];
    const parts = [`varUint(${spec.type})`];
    if ('json' in spec) parts.push('varString(json)');
    else {
      for (const [key, field] of Object.entries(spec.fields) as [string, Field<unknown>][]) {
        parts.push(field.grammar(key));
        for (const line of field.rules ?? []) shared.add(line);
      }
    }
    lines.push(rule(ruleName(name), parts.join(' ')));
    lines.push(`${' '.repeat(width)}   ; ${spec.travels.join(', ')}: ${spec.about}`);
  }
  lines.push('');
  for (const line of shared) {
    const [head, body] = line.split(' = ') as [string, string];
    lines.push(rule(head, body));
  }
  return lines.join('\n');
}

function ruleName(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

/** `client -> relay` as a rule name: `clientToRelay`. */
function directionRule(direction: Direction): string {
  const [from, to] = direction.split(' -> ') as [string, string];
  return `${from}To${to[0]!.toUpperCase()}${to.slice(1)}`;
}
