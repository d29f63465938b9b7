import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, chatOf, filesOf, foldersOf } from '../schema/project.js';
import { inspectUpdate, TYPE_DEPTH_MAX, type Verdict } from './inspectUpdate.js';
import { deleteOnlyUpdate, nestedMapsUpdate } from './testing.js';
import { validateUpdate } from './validateUpdate.js';

const ME = 'u-me';

function verdict(update: Uint8Array, doc: Y.Doc, userId = ME): Verdict['kind'] {
  return inspectUpdate(update, doc, { userId }).kind;
}

function refusal(update: Uint8Array, doc: Y.Doc, userId = ME): string {
  const result = inspectUpdate(update, doc, { userId });
  if (result.kind !== 'refuse') throw new Error(`expected a refusal, got ${result.kind}`);
  return result.reason;
}

/** Runs `change` on `doc` and returns the update it made. */
function edit(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** A chain of nested maps `depth` levels below the root map `files`; returns the innermost. */
function chain(doc: Y.Doc, depth: number, from: Y.Map<unknown> = filesOf(doc)): Y.Map<unknown> {
  let current = from;
  for (let level = 0; level < depth; level++) {
    const next = new Y.Map<unknown>();
    current.set('c', next);
    current = next;
  }
  return current;
}

describe('apply or wait', () => {
  it('applies a keystroke on a file the relay has', () => {
    const client = new Y.Doc();
    const id = addFile(client, 'main.py', 'print(1)');
    const relay = copyOf(client);
    const update = edit(client, () => (filesOf(client).get(id) as Y.Map<Y.Text>).get('text')!.insert(0, '#'));
    expect(verdict(update, relay)).toBe('apply');
  });

  it('waits for an edit whose earlier edits of the same client never arrived', () => {
    const client = new Y.Doc();
    const relay = new Y.Doc();
    addFile(client, 'a.txt', 'one');
    const second = edit(client, () => addFile(client, 'b.txt', 'two'));
    expect(verdict(second, relay)).toBe('wait');
  });

  it('waits for an edit built on another client change the relay lacks', () => {
    const other = new Y.Doc();
    const id = addFile(other, 'a.txt', 'hello');
    const client = copyOf(other);
    const relay = new Y.Doc();
    const update = edit(client, () => (filesOf(client).get(id) as Y.Map<Y.Text>).get('text')!.insert(5, '!'));
    expect(verdict(update, relay)).toBe('wait');
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(other));
    expect(verdict(update, relay)).toBe('apply');
  });

  it('waits for a delete of text the relay has not got', () => {
    const other = new Y.Doc();
    const id = addFile(other, 'a.txt', 'hello');
    const client = copyOf(other);
    const relay = new Y.Doc();
    const update = edit(client, () => (filesOf(client).get(id) as Y.Map<Y.Text>).get('text')!.delete(0, 2));
    expect(verdict(update, relay)).toBe('wait');
  });

  it('applies an update that carries its own dependencies in one piece', () => {
    const a = new Y.Doc();
    const id = addFile(a, 'a.txt', 'hello');
    const b = copyOf(a);
    (filesOf(b).get(id) as Y.Map<Y.Text>).get('text')!.insert(5, ' world');
    // b's whole state: a's structs and b's, b's referring to a's.
    expect(verdict(Y.encodeStateAsUpdate(b), new Y.Doc())).toBe('apply');
  });

  it('agrees with Yjs on what would stay pending, over random concurrent editing', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const id = addFile(writers[0]!, 'shared.txt', 'start');
    for (const w of writers.slice(1)) Y.applyUpdate(w, Y.encodeStateAsUpdate(writers[0]!));
    const relay = new Y.Doc();
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(writers[0]!));
    let queue: Uint8Array[] = [];
    for (let step = 0; step < 400; step++) {
      const writer = writers[random(writers.length)]!;
      const text = (filesOf(writer).get(id) as Y.Map<Y.Text>).get('text')!;
      queue.push(
        edit(writer, () => {
          if (text.length > 3 && random(3) === 0) text.delete(random(text.length - 1), 1);
          else text.insert(random(text.length + 1), String.fromCharCode(97 + random(26)));
        }),
      );
      // Writers hear of each other now and then, so their edits depend on one another.
      if (random(4) === 0) {
        const [from, to] = [writers[random(3)]!, writers[random(3)]!];
        Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
      }
      // The relay gets updates out of order, and applies what it is told it can.
      if (random(3) === 0 && queue.length > 0) {
        const pick = queue.splice(random(queue.length), 1)[0]!;
        const kind = verdict(pick, relay);
        const probe = copyOf(relay);
        Y.applyUpdate(probe, pick);
        const pending = probe.store.pendingStructs !== null || probe.store.pendingDs !== null;
        expect(kind).toBe(pending ? 'wait' : 'apply');
        if (kind === 'apply') Y.applyUpdate(relay, pick);
        else queue.push(pick);
      }
    }
    // Delivered in any order, everything eventually applies and converges.
    for (let round = 0; queue.length > 0 && round < 1000; round++) {
      const next: Uint8Array[] = [];
      for (const update of queue) {
        if (verdict(update, relay) === 'apply') Y.applyUpdate(relay, update);
        else next.push(update);
      }
      queue = next;
      if (queue.length > 0) {
        for (const w of writers) Y.applyUpdate(relay, Y.encodeStateAsUpdate(w, Y.encodeStateVector(relay)));
      }
    }
    expect(relay.store.pendingStructs).toBeNull();
  });
});

describe('nesting', () => {
  it(`refuses a chain of maps deeper than ${TYPE_DEPTH_MAX} levels, however long`, () => {
    for (const depth of [TYPE_DEPTH_MAX + 1, 8000, 200_000]) {
      const update = nestedMapsUpdate(depth, 99);
      validateUpdate(update);
      expect(refusal(update, new Y.Doc())).toMatch(/nested deeper than 32 levels/);
    }
  });

  it('builds the same bytes as Yjs for a chain (the crafted updates are real ones)', () => {
    const doc = new Y.Doc();
    doc.clientID = 99;
    const root = new Y.Map<unknown>();
    filesOf(doc).set('x', root);
    chain(doc, 3, root);
    expect(nestedMapsUpdate(4, 99)).toEqual(Y.encodeStateAsUpdate(doc));
    expect(deleteOnlyUpdate(99, 0, 4)).toEqual(edit(doc, () => filesOf(doc).delete('x')).subarray(-6));
  });

  it(`accepts exactly ${TYPE_DEPTH_MAX} levels`, () => {
    const client = new Y.Doc();
    const update = edit(client, () => chain(client, TYPE_DEPTH_MAX));
    expect(verdict(update, new Y.Doc())).toBe('apply');
  });

  it('counts the levels the document already has', () => {
    const client = new Y.Doc();
    let innermost: Y.Map<unknown> = filesOf(client);
    const first = edit(client, () => (innermost = chain(client, TYPE_DEPTH_MAX - 1)));
    const relay = new Y.Doc();
    expect(verdict(first, relay)).toBe('apply');
    Y.applyUpdate(relay, first);
    expect(
      verdict(
        edit(client, () => chain(client, 1, innermost)),
        relay,
      ),
    ).toBe('apply');
    const other = new Y.Doc();
    Y.applyUpdate(other, first);
    let otherInnermost: Y.Map<unknown> = filesOf(other);
    for (let level = 0; level < TYPE_DEPTH_MAX - 1; level++) {
      otherInnermost = otherInnermost.get('c') as Y.Map<unknown>;
    }
    const twoMore = edit(other, () => chain(other, 2, otherInnermost));
    const deeper = new Y.Doc();
    Y.applyUpdate(deeper, first);
    expect(verdict(twoMore, deeper)).toBe('refuse');
  });

  it('follows a type placed by its origin (a map key set again) to its depth', () => {
    const client = new Y.Doc();
    const relay = new Y.Doc();
    const base = edit(client, () => chain(client, TYPE_DEPTH_MAX));
    Y.applyUpdate(relay, base);
    // Setting `c` again on the innermost map: the new value's origin is the old one.
    let innermost: Y.Map<unknown> = filesOf(client);
    for (let level = 0; level < TYPE_DEPTH_MAX; level++) innermost = innermost.get('c') as Y.Map<unknown>;
    const parent = innermost.parent as Y.Map<unknown>;
    const again = edit(client, () => parent.set('c', new Y.Map()));
    expect(verdict(again, relay)).toBe('apply');
    const below = edit(client, () => (parent.get('c') as Y.Map<unknown>).set('c', new Y.Map()));
    expect(verdict(below, relay)).toBe('wait');
    Y.applyUpdate(relay, again);
    expect(verdict(below, relay)).toBe('refuse');
  });
});

describe('chat', () => {
  const message = (userId: string) => ({ userId, name: 'x', text: 'hello', at: 1 });

  it('accepts an entry carrying the sender’s own id', () => {
    const client = new Y.Doc();
    expect(
      verdict(
        edit(client, () => chatOf(client).push([message(ME)])),
        new Y.Doc(),
      ),
    ).toBe('apply');
  });

  it('refuses an entry posing as someone else, also after earlier entries', () => {
    const client = new Y.Doc();
    const relay = new Y.Doc();
    Y.applyUpdate(
      relay,
      edit(client, () => chatOf(client).push([message(ME)])),
    );
    const forged = edit(client, () => chatOf(client).push([message('u-interviewer')]));
    expect(refusal(forged, relay)).toMatch(/your own user id/);
    const inserted = edit(new Y.Doc(), (doc) => chatOf(doc).insert(0, [message('u-interviewer')]));
    expect(verdict(inserted, relay)).toBe('refuse');
  });

  it('refuses anything in chat but plain messages', () => {
    expect(
      verdict(
        edit(new Y.Doc(), (doc) => chatOf(doc).push([new Y.Map()])),
        new Y.Doc(),
      ),
    ).toBe('refuse');
    expect(
      verdict(
        edit(new Y.Doc(), (doc) => chatOf(doc).push(['just text'])),
        new Y.Doc(),
      ),
    ).toBe('refuse');
  });

  it('lets anyone forward entries the relay already has (relay-written ones included)', () => {
    const relay = new Y.Doc();
    chatOf(relay).push([message('u-someone-else')]);
    const client = copyOf(relay);
    expect(verdict(Y.encodeStateAsUpdate(client), relay)).toBe('apply');
  });

  it('lets a sender delete entries (deleted content is not a message)', () => {
    const client = new Y.Doc();
    chatOf(client).push([message(ME)]);
    chatOf(client).delete(0, 1);
    expect(verdict(Y.encodeStateAsUpdate(client), new Y.Doc())).toBe('apply');
  });
});

describe('folder paths', () => {
  it('accepts a plain empty folder and its removal, and refuses one whose name hides an override', () => {
    const client = new Y.Doc();
    const made = edit(client, () => foldersOf(client).set('src/lib', true));
    expect(verdict(made, new Y.Doc())).toBe('apply');
    const relay = copyOf(client);
    expect(
      verdict(
        edit(client, () => foldersOf(client).delete('src/lib')),
        relay,
      ),
    ).toBe('apply');
    const other = new Y.Doc();
    const spoof = edit(other, () => foldersOf(other).set('docs\u202etxt.exe', true));
    expect(refusal(spoof, new Y.Doc())).toMatch(/folder path .* is not allowed/);
  });
});

describe('file paths', () => {
  it('refuses a new file whose path hides a direction override', () => {
    const client = new Y.Doc();
    const update = edit(client, () => {
      const file = new Y.Map<unknown>();
      file.set('path', 'invoice\u202etxt.exe');
      file.set('text', new Y.Text());
      filesOf(client).set('f1', file);
    });
    expect(refusal(update, new Y.Doc())).toMatch(/file path .* is not allowed/);
  });

  it('refuses a rename to such a path and accepts a plain one', () => {
    const client = new Y.Doc();
    const id = addFile(client, 'a.py', '');
    const relay = copyOf(client);
    const rename = (path: string) => {
      const clone = copyOf(client);
      return edit(clone, () => (filesOf(clone).get(id) as Y.Map<unknown>).set('path', path));
    };
    expect(verdict(rename('b.py'), relay)).toBe('apply');
    expect(verdict(rename('b\u200b.py'), relay)).toBe('refuse');
    expect(verdict(rename('../etc/passwd'), relay)).toBe('refuse');
  });

  it('leaves other keys and deeper maps alone', () => {
    const client = new Y.Doc();
    const update = edit(client, () => {
      const file = new Y.Map<unknown>();
      const inner = new Y.Map<unknown>();
      file.set('inner', inner);
      inner.set('path', '../anything');
      filesOf(client).set('f1', file);
    });
    expect(verdict(update, new Y.Doc())).toBe('apply');
  });
});
