import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { addFile } from '../schema/project.js';
import {
  parseReplayBundle,
  readReplayBundle,
  readRunOutput,
  REPLAY_FORMAT,
  REPLAY_VERSION,
  ReplayFormatError,
  serializeReplayBundle,
  type ReplayBundle,
  type ReplayRun,
} from './bundle.js';
import { SessionRecorder } from './testing.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests reach into the JSON freely
type Json = Record<string, any>;

function output(chunks: [number, string][]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const [stream, text] of chunks) {
    encoding.writeVarUint(encoder, stream);
    encoding.writeVarUint8Array(encoder, new TextEncoder().encode(text));
  }
  return encoding.toUint8Array(encoder);
}

function sampleBundle(): ReplayBundle {
  const session = new SessionRecorder();
  session.act('u1', (doc) => addFile(doc, 'main.py', 'print("hé 😀")\n'));
  session.act('u2', (doc) => doc.getArray('chat').push([{ userId: 'u2', name: 'B', text: 'hi', at: 1 }]));
  const run: ReplayRun = {
    runId: 'r1',
    userId: 'u1',
    name: 'Ann',
    language: 'python',
    entry: 'main.py',
    startedAt: 10,
    endedAt: 20,
    exitCode: 0,
    signal: '',
    reason: 'exited',
    durationMs: 10,
    message: '',
    outputTruncated: false,
    output: output([
      [0, 'out\n'],
      [1, 'err\n'],
    ]),
  };
  const users = Object.assign(Object.create(null) as Record<string, { name: string }>, {
    u1: { name: 'Ann' },
    u2: { name: 'u2' },
  });
  return {
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    room: { id: 'room1', name: 'Lesson "one"' },
    exportedAt: 1_700_000_100_000,
    users,
    entries: session.entries,
    runs: [run],
  };
}

/** The sample as plain JSON, changed by `edit`. */
function tampered(edit: (json: Json) => void): unknown {
  const json = JSON.parse(serializeReplayBundle(sampleBundle())) as Json;
  edit(json);
  return json;
}

describe('replay bundle', () => {
  it('round-trips through its JSON text, bytes and all', () => {
    const bundle = sampleBundle();
    const text = serializeReplayBundle(bundle);
    const read = readReplayBundle(text);
    expect(read).toEqual(bundle);
    expect(read.entries[0]!.data).toBeInstanceOf(Uint8Array);
    expect(serializeReplayBundle(read)).toBe(text);
    const doc = new Y.Doc();
    for (const entry of read.entries) Y.applyUpdate(doc, entry.data);
    expect(doc.getArray('chat').length).toBe(1);
    expect(
      readRunOutput(read.runs[0]!.output).map((c) => [c.stream, new TextDecoder().decode(c.bytes)]),
    ).toEqual([
      [0, 'out\n'],
      [1, 'err\n'],
    ]);
  });

  it('writes users after entries, so a writer can stream the log first', () => {
    const text = serializeReplayBundle(sampleBundle());
    expect(text.indexOf('"entries"')).toBeLessThan(text.indexOf('"users"'));
    expect(text.startsWith('{"format":"tandem-replay","version":1,')).toBe(true);
  });

  it('gives users a prototype-free table', () => {
    const read = parseReplayBundle(
      tampered((j) => (j.users = JSON.parse('{"u1":{"name":"A"},"u2":{"name":"B"}}'))),
    );
    expect(read.users.constructor).toBeUndefined();
    expect(() => parseReplayBundle(tampered((j) => (j.entries[0].author = 'constructor')))).toThrow(
      'entries[0].author: "constructor" is not listed in users',
    );
  });

  const malformed: [string, (json: Json) => void, RegExp][] = [
    ['a wrong format tag', (j) => (j.format = 'yjs-dump'), /not a Tandem replay: "format" is "yjs-dump"/],
    ['a missing format tag', (j) => delete j.format, /"format" is missing/],
    ['an unknown version', (j) => (j.version = 2), /replay version 2 is not supported/],
    ['a missing room', (j) => delete j.room, /^room: expected an object, got missing/],
    ['an empty room id', (j) => (j.room.id = ''), /room\.id: expected a non-empty string/],
    [
      'a bad export time',
      (j) => (j.exportedAt = 'yesterday'),
      /exportedAt: expected a number of milliseconds/,
    ],
    ['entries that are not an array', (j) => (j.entries = {}), /entries: expected an array, got an object/],
    ['an entry that is not an object', (j) => (j.entries[1] = 3), /entries\[1\]: expected an object/],
    ['bad base64', (j) => (j.entries[0].data = 'AAE*'), /entries\[0\]\.data: not valid base64/],
    ['base64 without padding', (j) => (j.entries[0].data = 'AAE'), /entries\[0\]\.data: not valid base64/],
    [
      'data that is not a Yjs update',
      (j) => (j.entries[1].data = 'AQID'),
      /entries\[1\]\.data: not a valid Yjs update/,
    ],
    ['empty data', (j) => (j.entries[1].data = ''), /entries\[1\]\.data: empty update/],
    [
      'a seq that goes back',
      (j) => (j.entries[1].seq = j.entries[0].seq),
      /entries\[1\]\.seq: \d+ does not follow \d+/,
    ],
    [
      'a fractional seq',
      (j) => (j.entries[0].seq = 1.5),
      /entries\[0\]\.seq: expected a whole number from 1, got 1.5/,
    ],
    ['a seq of 0', (j) => (j.entries[0].seq = 0), /entries\[0\]\.seq/],
    ['a negative time', (j) => (j.entries[0].at = -5), /entries\[0\]\.at/],
    [
      'an author missing from users',
      (j) => delete j.users.u2,
      /entries\[1\]\.author: "u2" is not listed in users/,
    ],
    [
      'a user without a name',
      (j) => (j.users.u1 = {}),
      /users\["u1"\]\.name: expected a string, got missing/,
    ],
    ['runs that are not an array', (j) => (j.runs = null), /runs: expected an array, got null/],
    ['a run without an id', (j) => delete j.runs[0].runId, /runs\[0\]\.runId: expected a non-empty string/],
    ['a run with a text exit code', (j) => (j.runs[0].exitCode = '0'), /runs\[0\]\.exitCode/],
    [
      'a run with bad output',
      (j) => (j.runs[0].output = 'BQA='),
      /runs\[0\]\.output: unknown output stream 5/,
    ],
    [
      'a run with truncated output',
      (j) => (j.runs[0].output = 'AAU='),
      /runs\[0\]\.output: output chunk is truncated/,
    ],
    ['a run missing outputTruncated', (j) => delete j.runs[0].outputTruncated, /runs\[0\]\.outputTruncated/],
  ];

  it.each(malformed)('refuses %s with a clear message', (_, edit, message) => {
    const bad = tampered(edit);
    expect(() => parseReplayBundle(bad)).toThrow(ReplayFormatError);
    expect(() => parseReplayBundle(bad)).toThrow(message);
  });

  it('refuses what is not a bundle at all', () => {
    expect(() => readReplayBundle('{"format":')).toThrow('not a Tandem replay: the file is not JSON');
    expect(() => parseReplayBundle(null)).toThrow('the bundle: expected an object, got null');
    expect(() => parseReplayBundle([1])).toThrow('the bundle: expected an object, got an array');
    expect(() => parseReplayBundle('tandem-replay')).toThrow(ReplayFormatError);
  });

  it('accepts an empty room', () => {
    const empty = { ...sampleBundle(), entries: [], runs: [], users: Object.create(null) };
    expect(readReplayBundle(serializeReplayBundle(empty))).toEqual(empty);
  });
});
