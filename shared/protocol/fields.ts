/**
 * The building blocks of every message body: each field is written and read
 * by one pair of functions that validate while they decode (a bound on every
 * string, list and count; integers safe; enumerations closed), and that say
 * what they look like in PROTOCOL.md's grammar. The message table
 * (table.ts) is made of these; nothing else reads or writes a field.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** lib0 throws plain errors on truncated input; give them one type. */
export function guard<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(error instanceof Error ? error.message : String(error));
  }
}

export interface Field<T> {
  write(encoder: encoding.Encoder, value: T): void;
  read(decoder: decoding.Decoder): T;
  /** The grammar of this field named `name` (PROTOCOL.md). */
  grammar(name: string): string;
  /** Rules the grammar refers to, `name = ...`, listed once under the messages. */
  rules?: readonly string[];
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;

export const uint: Field<number> = {
  write: (e, value) => encoding.writeVarUint(e, value),
  read: (d) => {
    const value = decoding.readVarUint(d);
    if (!Number.isSafeInteger(value)) throw new ProtocolError('integer out of range');
    return value;
  },
  grammar: (name) => `varUint(${name})`,
};

export const flag: Field<boolean> = {
  write: (e, value) => encoding.writeVarUint(e, value ? 1 : 0),
  read: (d) => {
    const value = uint.read(d);
    if (value > 1) throw new ProtocolError('flag must be 0 or 1');
    return value === 1;
  },
  grammar: (name) => `varUint(${name}: 0 | 1)`,
};

export function text(maxChars: number, check?: (value: string) => string | null): Field<string> {
  return {
    write: (e, value) => encoding.writeVarString(e, value),
    read: (d) => {
      const value = decoding.readVarString(d);
      if (value.length > maxChars) throw new ProtocolError(`string longer than ${maxChars} characters`);
      const problem = check?.(value);
      if (problem) throw new ProtocolError(problem);
      return value;
    },
    grammar: (name) => `varString(${name})`,
  };
}

/** A string matching `regex`; `rule` names it in the grammar and in errors. */
export function pattern(regex: RegExp, rule: string): Field<string> {
  const field = text(1024, (value) => (regex.test(value) ? null : `${rule} must match ${regex.source}`));
  return {
    ...field,
    grammar: (name) => named('varString', name, rule),
    rules: [`${rule} = /${regex.source}/`],
  };
}

/** `varX(name)`, or `varX(name: rule)` when the field is named otherwise than its rule. */
function named(kind: string, name: string, rule: string): string {
  return name === rule ? `${kind}(${name})` : `${kind}(${name}: ${rule})`;
}

/** One of a closed set of strings; `rule` names the set in the grammar and in errors. */
export function oneOf<T extends string>(values: readonly T[], rule: string): Field<T> {
  const known = new Set<string>(values);
  const field = text(256, (value) => (known.has(value) ? null : `unknown ${rule} ${value}`)) as Field<T>;
  return {
    ...field,
    grammar: (name) => named('varString', name, rule),
    rules: [`${rule} = ${values.map((value) => JSON.stringify(value)).join(' | ')}`],
  };
}

/** One of a closed set of numbers, given by name (`{ Batch: 0, Terminal: 1 }`). */
export function oneOfNumbers<T extends number>(values: Readonly<Record<string, T>>, rule: string): Field<T> {
  const known = new Set<number>(Object.values(values));
  return {
    write: (e, value) => encoding.writeVarUint(e, value),
    read: (d) => {
      const value = uint.read(d);
      if (!known.has(value)) throw new ProtocolError(`unknown ${rule} ${value}`);
      return value as T;
    },
    grammar: (name) => named('varUint', name, rule),
    rules: [
      `${rule} = ${Object.entries(values)
        .map(([label, value]) => `${value} (${label.toLowerCase()})`)
        .join(' | ')}`,
    ],
  };
}

export const bytes: Field<Uint8Array> = {
  write: (e, value) => encoding.writeVarUint8Array(e, value),
  read: (d) => decoding.readVarUint8Array(d),
  grammar: (name) => `varUint8Array(${name})`,
};

/** A JSON text (checked to parse) of at most `maxChars`. */
export function jsonText(maxChars: number): Field<string> {
  const field = text(maxChars, (value) => {
    try {
      JSON.parse(value);
      return null;
    } catch {
      return 'not JSON';
    }
  });
  return { ...field, grammar: (name) => `varString(${name}: json)` };
}

/** A count that cannot exceed what the bytes left could hold (`minBytes` an item). */
function count(d: decoding.Decoder, max: number, minBytes: number): number {
  const n = uint.read(d);
  if (n > max) throw new ProtocolError(`more than ${max} items`);
  if (n * minBytes > d.arr.length - d.pos) throw new ProtocolError('count exceeds message size');
  return n;
}

export function list<T>(item: Field<T>, max: number, itemRule: string): Field<T[]> {
  return {
    write: (e, values) => {
      encoding.writeVarUint(e, values.length);
      for (const value of values) item.write(e, value);
    },
    read: (d) => Array.from({ length: count(d, max, 1) }, () => item.read(d)),
    grammar: () => `varUint(n) ${itemRule}*n`,
    rules: item.rules,
  };
}

/** Fields one after the other, as a named rule of the grammar. */
export function struct<S extends Record<string, Field<unknown>>>(
  rule: string,
  fields: S,
): Field<{ [K in keyof S]: FieldValue<S[K]> }> {
  const entries = Object.entries(fields);
  return {
    write: (e, value) => {
      for (const [key, field] of entries) field.write(e, (value as Record<string, unknown>)[key]);
    },
    read: (d) => {
      const out: Record<string, unknown> = {};
      for (const [key, field] of entries) out[key] = field.read(d);
      return out as { [K in keyof S]: FieldValue<S[K]> };
    },
    grammar: () => rule,
    rules: [
      `${rule} = ${entries.map(([key, field]) => field.grammar(key)).join(' ')}`,
      ...entries.flatMap(([, field]) => field.rules ?? []),
    ],
  };
}

/** String keys to string values, keys unique. */
export function stringRecord(rule: string): Field<Record<string, string>> {
  return {
    write: (e, value) => {
      const entries = Object.entries(value);
      encoding.writeVarUint(e, entries.length);
      for (const [key, v] of entries) {
        encoding.writeVarString(e, key);
        encoding.writeVarString(e, v);
      }
    },
    read: (d) => {
      const n = count(d, Number.MAX_SAFE_INTEGER, 2);
      const out = Object.create(null) as Record<string, string>;
      for (let i = 0; i < n; i++) {
        const key = decoding.readVarString(d);
        if (key in out) throw new ProtocolError(`duplicate key ${key}`);
        out[key] = decoding.readVarString(d);
      }
      return out;
    },
    grammar: () => rule,
    rules: [`${rule} = varUint(n) { varString(key) varString(value) }*n`],
  };
}

/** A number or nothing, written as value + 1 (0: nothing), so it is never negative on the wire. */
export const optionalCode: Field<number | null> = {
  write: (e, value) => encoding.writeVarUint(e, value === null ? 0 : value + 1),
  read: (d) => {
    const value = uint.read(d);
    return value === 0 ? null : value - 1;
  },
  grammar: (name) => `varUint(${name} + 1, 0 = none)`,
};

/** Booleans packed as bits of one varUint, in the order given. */
export function bits<K extends string>(names: readonly K[]): Field<Record<K, boolean>> {
  const all = (1 << names.length) - 1;
  return {
    write: (e, value) => {
      let packed = 0;
      names.forEach((name, i) => {
        if (value[name]) packed |= 1 << i;
      });
      encoding.writeVarUint(e, packed);
    },
    read: (d) => {
      const packed = uint.read(d);
      if (packed & ~all) throw new ProtocolError('unknown flags');
      return Object.fromEntries(names.map((name, i) => [name, (packed & (1 << i)) !== 0])) as Record<
        K,
        boolean
      >;
    },
    grammar: (name) => `varUint(${name}: ${names.map((n, i) => `bit ${i} ${n}`).join(', ')})`,
  };
}
