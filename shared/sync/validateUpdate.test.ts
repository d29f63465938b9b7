import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../protocol/fields.js';
import { validateUpdate } from './validateUpdate.js';
import { seededRandom } from '../testing/random.js';

// Struct info bits and content refs of the Yjs update v1 encoding.
const ORIGIN = 0x80;
const RIGHT_ORIGIN = 0x40;
const PARENT_SUB = 0x20;
const REF = {
  GC: 0,
  Deleted: 1,
  JSON: 2,
  Binary: 3,
  String: 4,
  Embed: 5,
  Format: 6,
  Type: 7,
  Any: 8,
  Skip: 10,
};

/** Records every update a doc emits while `edit` runs, plus the doc's whole state afterwards. */
function updatesOf(
  edit: (doc: Y.Doc) => void,
  clientID = 1,
): { incremental: Uint8Array[]; state: Uint8Array } {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const incremental: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => incremental.push(update));
  edit(doc);
  return { incremental, state: Y.encodeStateAsUpdate(doc) };
}

function yjsApplies(update: Uint8Array): boolean {
  try {
    Y.applyUpdate(new Y.Doc(), update);
    return true;
  } catch {
    return false;
  }
}

function validates(update: Uint8Array): boolean {
  try {
    validateUpdate(update);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return false;
  }
}

const refuses = (update: Uint8Array | number[]) =>
  expect(() => validateUpdate(Uint8Array.from(update))).toThrow(ProtocolError);

/**
 * Builds a one-client update: `structs` write themselves with the helpers below;
 * `deletes` is the delete set as [client, [clock, len][]][].
 */
function build(
  structs: ((e: encoding.Encoder) => void)[],
  { client = 1, clock = 0, deletes = [] as [number, [number, number][]][] } = {},
): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, structs.length === 0 ? 0 : 1);
  if (structs.length > 0) {
    encoding.writeVarUint(e, structs.length);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    for (const write of structs) write(e);
  }
  encoding.writeVarUint(e, deletes.length);
  for (const [dsClient, ranges] of deletes) {
    encoding.writeVarUint(e, dsClient);
    encoding.writeVarUint(e, ranges.length);
    for (const [start, len] of ranges) {
      encoding.writeVarUint(e, start);
      encoding.writeVarUint(e, len);
    }
  }
  return encoding.toUint8Array(e);
}

interface Placement {
  origin?: [number, number];
  rightOrigin?: [number, number];
  /** Root type name, or the id of a parent item. */
  parent?: string | [number, number];
  key?: string;
}

/** An item struct: info byte, origins or parent, then `content`. */
const item =
  (ref: number, content: (e: encoding.Encoder) => void, at: Placement = { parent: 't' }) =>
  (e: encoding.Encoder) => {
    const hasOrigin = at.origin !== undefined || at.rightOrigin !== undefined;
    const info =
      ref |
      (at.origin ? ORIGIN : 0) |
      (at.rightOrigin ? RIGHT_ORIGIN : 0) |
      (!hasOrigin && at.key !== undefined ? PARENT_SUB : 0);
    encoding.writeUint8(e, info);
    const id = ([c, k]: [number, number]) => {
      encoding.writeVarUint(e, c);
      encoding.writeVarUint(e, k);
    };
    if (at.origin) id(at.origin);
    if (at.rightOrigin) id(at.rightOrigin);
    if (!hasOrigin) {
      const parent = at.parent ?? 't';
      if (typeof parent === 'string') {
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, parent);
      } else {
        encoding.writeVarUint(e, 0);
        id(parent);
      }
      if (at.key !== undefined) encoding.writeVarString(e, at.key);
    }
    content(e);
  };

const stringItem = (text: string, at?: Placement) =>
  item(REF.String, (e) => encoding.writeVarString(e, text), at);
const anyItem = (values: unknown[], at?: Placement) =>
  item(
    REF.Any,
    (e) => {
      encoding.writeVarUint(e, values.length);
      for (const value of values) encoding.writeAny(e, value as never);
    },
    at,
  );
const rawItem = (ref: number, bytes: number[], at?: Placement) =>
  item(ref, (e) => encoding.writeUint8Array(e, Uint8Array.from(bytes)), at);
const lenStruct = (ref: number, len: number) => (e: encoding.Encoder) => {
  encoding.writeUint8(e, ref);
  encoding.writeVarUint(e, len);
};

/** A varString as raw bytes. */
const vs = (text: string): number[] => {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, text);
  return [...encoding.toUint8Array(e)];
};

/** Real updates Yjs made, covering every content and type the encoding has (but subdocuments). */
function realCorpus(): Record<string, Uint8Array> {
  const corpus: Record<string, Uint8Array> = {};
  const add = (name: string, edit: (doc: Y.Doc) => void, clientID?: number) => {
    const { incremental, state } = updatesOf(edit, clientID);
    incremental.forEach((update, i) => (corpus[`${name} #${i}`] = update));
    corpus[`${name} state`] = state;
  };

  add('text', (doc) => {
    const text = doc.getText('t');
    text.insert(0, 'hello world');
    text.insert(5, ', dear');
    text.insert(0, '😀 emoji 🎉 ');
    text.delete(2, 3);
    text.insert(text.length, '𝄞 non-BMP');
    text.delete(0, 2);
  });
  add('formatting', (doc) => {
    const text = doc.getText('t');
    text.insert(0, 'bold and plain', { bold: true });
    text.format(5, 3, { italic: true, color: '#ff0000' });
    text.format(0, 4, { bold: null });
    text.insertEmbed(2, { image: 'https://example.com/x.png', size: [1, 2] });
  });
  add('map', (doc) => {
    const map = doc.getMap('m');
    map.set('int', 42);
    map.set('negative', -7);
    map.set('float', 3.5);
    map.set('big', 2 ** 52);
    map.set('string', 'héllo');
    map.set('bool', true);
    map.set('null', null);
    map.set('undefined', undefined);
    map.set('object', { nested: { deeper: [1, 'two', { three: 3 }] }, empty: {} });
    map.set('array', [1, [2, [3, []]]]);
    map.set('bytes', new Uint8Array([0, 1, 2, 255]));
    map.set('bigint', 1234567890123456789n);
    map.set('int', 43);
    map.delete('bool');
  });
  add('array', (doc) => {
    const array = doc.getArray('a');
    array.push([1, 'two', { three: 3 }, [4], new Uint8Array([5])]);
    array.insert(1, ['inserted']);
    array.delete(0, 2);
    array.push([new Uint8Array(300)]);
  });
  add('nested', (doc) => {
    const files = doc.getMap('files');
    const entry = new Y.Map<unknown>();
    files.set('f1', entry);
    entry.set('path', 'src/main.py');
    const text = new Y.Text();
    entry.set('text', text);
    text.insert(0, 'print("hi")\n');
    const list = new Y.Array<unknown>();
    entry.set('list', list);
    list.push([new Y.Map(), new Y.Text('inside array')]);
    files.delete('f1');
  });
  add('xml', (doc) => {
    const fragment = doc.getXmlFragment('x');
    const element = new Y.XmlElement('p');
    element.setAttribute('class', 'intro');
    const text = new Y.XmlText('hello');
    element.insert(0, [text]);
    fragment.insert(0, [element, new Y.XmlText('tail'), new Y.XmlHook('widget') as unknown as Y.XmlElement]);
    text.format(0, 2, { b: true });
    element.removeAttribute('class');
    fragment.delete(1, 1);
  });
  add(
    'gc',
    (doc) => {
      const map = doc.getMap('m');
      const inner = new Y.Map<unknown>();
      map.set('x', inner);
      inner.set('a', 1);
      inner.set('b', new Y.Text('gone'));
      map.delete('x');
    },
    4,
  );

  // Two clients typing concurrently, then merged.
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.clientID = 10;
  b.clientID = 11;
  const fromA: Uint8Array[] = [];
  const fromB: Uint8Array[] = [];
  a.on('update', (u: Uint8Array) => fromA.push(u));
  b.on('update', (u: Uint8Array) => fromB.push(u));
  a.getText('t').insert(0, 'abc');
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  a.getText('t').insert(1, 'A');
  b.getText('t').insert(2, 'B');
  b.getText('t').delete(0, 1);
  corpus['merged'] = Y.mergeUpdates([...fromA, ...fromB]);
  // Updates 0 and 2 of one client without 1: the merge carries a Skip struct.
  const gaps = updatesOf((doc) => {
    const text = doc.getText('t');
    text.insert(0, 'one');
    text.insert(3, 'two');
    text.insert(6, 'three');
  }, 12).incremental;
  corpus['merged with skip'] = Y.mergeUpdates([gaps[0]!, gaps[2]!]);
  corpus['empty'] = Y.encodeStateAsUpdate(new Y.Doc());
  return corpus;
}

const CORPUS = realCorpus();

describe('validateUpdate accepts what Yjs writes', () => {
  it('matches hand-written bytes for one string insert', () => {
    const { state } = updatesOf((doc) => doc.getText('t').insert(0, 'hi'));
    // 1 client, 1 struct, client 1, clock 0, info String, root parent "t", "hi", no deletes.
    const golden = new Uint8Array([1, 1, 1, 0, 4, 1, 1, 0x74, 2, 0x68, 0x69, 0]);
    expect(state).toEqual(golden);
    expect(build([stringItem('hi')])).toEqual(golden);
    expect(validateUpdate(golden)).toEqual({ structs: 1, deleteRanges: 0 });
  });

  it.each(Object.entries(CORPUS))('%s', (_name, update) => {
    expect(() => validateUpdate(update)).not.toThrow();
    expect(yjsApplies(update)).toBe(true);
  });

  it('the corpus covers every content ref Tandem accepts, Skip included', () => {
    const names = Object.keys(CORPUS);
    expect(names.some((n) => n.startsWith('xml'))).toBe(true);
    // GC structs (ref 0) and skip structs (ref 10) are both in there:
    expect(validateUpdate(CORPUS['gc state']!).structs).toBeGreaterThan(1);
    expect(CORPUS['merged with skip']!.includes(REF.Skip)).toBe(true);
  });

  it('the empty update is [0, 0] and is accepted', () => {
    expect(CORPUS['empty']).toEqual(new Uint8Array([0, 0]));
    expect(validateUpdate(new Uint8Array([0, 0]))).toEqual({ structs: 0, deleteRanges: 0 });
  });

  it('counts structs and delete ranges', () => {
    const deleteOnly = updatesOf((doc) => {
      doc.getText('t').insert(0, 'abcdef');
      doc.getText('t').delete(1, 1);
      doc.getText('t').delete(3, 1);
    }).incremental;
    expect(validateUpdate(deleteOnly[1]!)).toEqual({ structs: 0, deleteRanges: 1 });
    expect(
      validateUpdate(
        build([stringItem('ab'), lenStruct(REF.GC, 3), lenStruct(REF.Skip, 2)], {
          deletes: [
            [1, [[0, 1]]],
            [
              9,
              [
                [0, 2],
                [5, 1],
              ],
            ],
          ],
        }),
      ),
    ).toEqual({ structs: 3, deleteRanges: 3 });
  });

  it('accepts hand-built ContentJSON, including the "undefined" special case', () => {
    const json = build([rawItem(REF.JSON, [3, ...vs('{"a":[1,2]}'), ...vs('undefined'), ...vs('null')])]);
    expect(validateUpdate(json)).toEqual({ structs: 1, deleteRanges: 0 });
    expect(yjsApplies(json)).toBe(true);
  });

  it('accepts items placed by origin, right origin, parent id and map key', () => {
    const update = build([
      stringItem('abc'),
      stringItem('X', { origin: [1, 1], rightOrigin: [1, 2] }),
      item(REF.Type, (e) => encoding.writeVarUint(e, 1), { parent: 'm', key: 'inner' }),
      anyItem([1], { parent: [1, 4], key: 'k' }),
    ]);
    expect(validateUpdate(update).structs).toBe(4);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    expect(doc.getText('t').toString()).toBe('abXc');
    expect(doc.getMap('m').toJSON()).toEqual({ inner: { k: 1 } });
  });
});

describe('validateUpdate refuses malformed updates', () => {
  const multi = CORPUS['text state']!;

  it('refuses every strict prefix of a multi-struct update', () => {
    expect(validateUpdate(multi).structs).toBeGreaterThan(3);
    for (let length = 0; length < multi.length; length++) refuses(multi.subarray(0, length));
  });

  it('refuses trailing bytes', () => {
    refuses([...multi, 0]);
    refuses([0, 0, 0]);
    refuses([...multi, ...multi]);
  });

  it('refuses counts larger than the bytes could hold, without allocating for them', () => {
    refuses([1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0, 4, 1, 1, 0x74, 1, 0x61, 0]);
    refuses([0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
    refuses([0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    refuses([0, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    refuses(build([rawItem(REF.Any, [0xff, 0xff, 0xff, 0x7f, 0x7d, 0])]));
    refuses(build([rawItem(REF.JSON, [0xff, 0xff, 0xff, 0x7f, ...vs('1')])]));
    refuses(build([anyItem([])]).map((b, i, all) => (i === all.length - 2 ? 0x7f : b)));
  });

  it('refuses varints past the safe-integer range', () => {
    refuses([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0]);
  });

  it('refuses unknown content refs', () => {
    for (const ref of [11, 12, 20, 31]) refuses(build([rawItem(ref, [1, 0x61])]));
  });

  it('refuses unknown type refs', () => {
    for (const typeRef of [7, 8, 100, 0x7f]) refuses(build([rawItem(REF.Type, [typeRef])]));
    // Every known type ref is accepted (3 = XmlElement and 5 = XmlHook carry a name).
    for (const typeRef of [0, 1, 2, 4, 6])
      expect(validates(build([rawItem(REF.Type, [typeRef])]))).toBe(true);
    for (const typeRef of [3, 5])
      expect(validates(build([rawItem(REF.Type, [typeRef, ...vs('p')])]))).toBe(true);
  });

  it('refuses unknown any types', () => {
    for (const type of [0, 1, 100, 115, 128, 255]) refuses(build([rawItem(REF.Any, [1, type])]));
    refuses(build([rawItem(REF.Any, [1, 117, 1, 0])]));
    refuses(build([rawItem(REF.Any, [1, 118, 1, ...vs('k'), 3])]));
  });

  it('refuses invalid JSON in ContentJSON, Embed and Format', () => {
    for (const bad of ['{', 'undefined!', "{'a':1}", '', 'NaN']) {
      refuses(build([rawItem(REF.JSON, [1, ...vs(bad)])]));
      refuses(build([rawItem(REF.Embed, vs(bad))]));
      refuses(build([rawItem(REF.Format, [...vs('bold'), ...vs(bad)])]));
    }
    expect(validates(build([rawItem(REF.Embed, vs('{"image":"x"}'))]))).toBe(true);
    expect(validates(build([rawItem(REF.Format, [...vs('bold'), ...vs('true')])]))).toBe(true);
  });

  it('refuses empty string content', () => {
    refuses(build([stringItem('')]));
  });

  it('refuses subdocuments', () => {
    const { state } = updatesOf((doc) => doc.getMap('m').set('sub', new Y.Doc()));
    expect(yjsApplies(state)).toBe(true);
    refuses(state);
    refuses(build([rawItem(9, [...vs('guid'), 118, 0])]));
  });

  it('refuses clocks past 2^48, wherever they are', () => {
    const far = 2 ** 48 + 1;
    refuses(build([stringItem('a')], { clock: far }));
    refuses(build([stringItem('a')], { clock: 2 ** 53 - 1 }));
    refuses(build([stringItem('abcde')], { clock: 2 ** 48 - 2 }));
    refuses(build([lenStruct(REF.GC, far)]));
    refuses(build([lenStruct(REF.Skip, far)]));
    refuses(build([item(REF.Deleted, (e) => encoding.writeVarUint(e, 2 ** 50))]));
    refuses(build([stringItem('a', { origin: [2, far] })]));
    refuses(build([stringItem('a', { rightOrigin: [2, far] })]));
    refuses(build([stringItem('a', { parent: [2, far] })]));
    refuses(build([], { deletes: [[2, [[far, 1]]]] }));
    refuses(build([], { deletes: [[2, [[1, far]]]] }));
    refuses(build([], { deletes: [[2, [[2 ** 47, 2 ** 47 + 2]]]] }));
    expect(validates(build([stringItem('a')], { clock: 2 ** 48 - 1 }))).toBe(true);
  });

  it('refuses a deeply nested any without crashing', () => {
    const depth = 100_000;
    const bytes = [1, 1, 1, 0, REF.Any, 1, 1, 0x74, 1];
    for (let i = 0; i < depth; i++) bytes.push(117, 1);
    bytes.push(126, 0);
    refuses(bytes);
  });
});

describe('validateUpdate: accepted implies Yjs can apply it', () => {
  /** Every accepted update must integrate into a fresh doc; returns the ones that do not. */
  function acceptedButUnapplicable(updates: Iterable<Uint8Array>): string[] {
    const bad: string[] = [];
    for (const update of updates) {
      if (validates(update) && !yjsApplies(update)) bad.push(Buffer.from(update).toString('hex'));
    }
    return bad;
  }

  it('refuses zero-length deleted content (Yjs: "Unexpected case")', () => {
    const update = build([rawItem(REF.Deleted, [0])]);
    expect(yjsApplies(update)).toBe(false);
    refuses(update);
  });

  it('refuses a zero-length delete range (Yjs: "Unexpected case")', () => {
    const update = build([], { deletes: [[7, [[2, 0]]]] });
    expect(yjsApplies(update)).toBe(false);
    refuses(update);
  });

  it.each([
    ['origin is the item itself', [stringItem('y', { origin: [1, 0] })]],
    ['right origin is the item itself', [stringItem('y', { rightOrigin: [1, 0] })]],
    ['parent is the item itself', [rawItem(REF.Type, [1], { parent: [1, 0] })]],
    ['origin is later in the same client', [stringItem('x'), stringItem('y', { origin: [1, 5] })]],
    ['origin is inside the item itself', [stringItem('xyz'), stringItem('y', { origin: [1, 3] })]],
    ['parent is later in the same client', [stringItem('x'), stringItem('y', { parent: [1, 7] })]],
  ])('refuses a reference to a clock of its own client not yet written: %s', (_label, structs) => {
    const update = build(structs);
    expect(yjsApplies(update)).toBe(false);
    refuses(update);
  });

  it('refuses an any nested deeper than Yjs can decode', () => {
    const deep = (depth: number) => {
      const bytes = [1, 1, 1, 0, REF.Any, 1, 1, 0x74, 1];
      for (let i = 0; i < depth; i++) bytes.push(117, 1);
      bytes.push(126, 0);
      return Uint8Array.from(bytes);
    };
    // Yjs decodes nested anys recursively, so how deep it gets depends on the stack
    // (and on JIT state): search for its limit here, then go past it.
    let applies = 0;
    let throws = 100_000;
    expect(yjsApplies(deep(throws))).toBe(false);
    while (throws - applies > 1) {
      const middle = Math.floor((applies + throws) / 2);
      if (yjsApplies(deep(middle))) applies = middle;
      else throws = middle;
    }
    const beyond = [throws, throws + 100, Math.floor(throws * 1.2), throws * 2, 100_000];
    expect(
      beyond.filter((depth) => validates(deep(depth))),
      `Yjs fails from depth ${throws}`,
    ).toEqual([]);
  });

  it('holds for 2,000 random buffers (seeded)', () => {
    const random = seededRandom(0x7a4d);
    const buffers: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 64));
      for (let j = 0; j < bytes.length; j++) {
        // Bias towards small values so some buffers get past the counts.
        bytes[j] = random() < 0.5 ? Math.floor(random() * 12) : Math.floor(random() * 256);
      }
      buffers.push(bytes);
    }
    expect(acceptedButUnapplicable(buffers)).toEqual([]);
  });

  it('holds for 2,000 mutations of real updates (seeded)', () => {
    const random = seededRandom(0x5eed);
    const bases = Object.values(CORPUS).filter((u) => u.length > 4);
    const mutants: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const bytes = bases[i % bases.length]!.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let k = 0; k < flips; k++) {
        bytes[Math.floor(random() * bytes.length)] =
          random() < 0.5 ? Math.floor(random() * 256) : Math.floor(random() * 12);
      }
      mutants.push(bytes);
    }
    expect(acceptedButUnapplicable(mutants).slice(0, 5)).toEqual([]);
  });

  it('for real updates and their prefixes: accepted exactly when Yjs applies them', () => {
    const wholeStates = Object.entries(CORPUS).filter(([name]) => !name.includes('#'));
    expect(wholeStates.length).toBeGreaterThan(8);
    for (const [name, update] of wholeStates) {
      for (let length = 0; length <= update.length; length++) {
        const part = update.subarray(0, length);
        expect(validates(part), `${name}, first ${length} of ${update.length} bytes`).toBe(yjsApplies(part));
      }
    }
  });
});
