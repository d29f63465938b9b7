import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { MessageType } from './messageTypes.js';
import {
  ProtocolError,
  decodeTandemMessage,
  encodeTandemMessage,
  isTandemType,
  readTandemMessage,
  type TandemMessage,
} from './tandem.js';

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
/** lib0 varString: varUint byte length (all lengths here are < 128, so one byte), then UTF-8. */
const str = (text: string): number[] => {
  const bytes = utf8(text);
  expect(bytes.length).toBeLessThan(128);
  return [bytes.length, ...bytes];
};

const MESSAGES: readonly TandemMessage[] = [
  { type: MessageType.Hello, protocolVersion: 1 },
  { type: MessageType.Hello, protocolVersion: 0 },
  { type: MessageType.Hello, protocolVersion: Number.MAX_SAFE_INTEGER },
  {
    type: MessageType.Welcome,
    protocolVersion: 1,
    roomId: 'r-123',
    userId: 'u_9',
    name: 'Zoë 😀',
    role: 'editor',
  },
  { type: MessageType.Welcome, protocolVersion: 1, roomId: '', userId: '', name: '', role: 'owner' },
  {
    type: MessageType.Welcome,
    protocolVersion: 7,
    roomId: 'x'.repeat(1024),
    userId: 'u',
    name: 'n',
    role: 'viewer',
  },
  { type: MessageType.SyncStatus, counter: 0 },
  { type: MessageType.SyncStatus, counter: 300 },
  { type: MessageType.SyncStatus, counter: 2 ** 40 },
  ...Object.values(ErrorCode).map(
    (code) => ({ type: MessageType.Error, code, message: `about ${code}` }) as const,
  ),
  { type: MessageType.Error, code: ErrorCode.Internal, message: '' },
];

/** Encodes a raw frame from parts: numbers as varUint, strings as varString. */
function frame(...parts: (number | string)[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const part of parts) {
    if (typeof part === 'number') encoding.writeVarUint(encoder, part);
    else encoding.writeVarString(encoder, part);
  }
  return encoding.toUint8Array(encoder);
}

describe('Tandem message codec: round trip', () => {
  it.each(MESSAGES.map((m) => [m.type, m] as const))('type %i round-trips', (_type, message) => {
    expect(decodeTandemMessage(encodeTandemMessage(message))).toEqual(message);
  });

  it('readTandemMessage reads the body after the caller has read the type', () => {
    for (const message of MESSAGES) {
      const decoder = decoding.createDecoder(encodeTandemMessage(message));
      const type = decoding.readVarUint(decoder);
      expect(isTandemType(type)).toBe(true);
      expect(readTandemMessage(decoder, message.type)).toEqual(message);
    }
  });
});

describe('Tandem message codec: golden bytes', () => {
  it('hello v1', () => {
    expect(encodeTandemMessage({ type: MessageType.Hello, protocolVersion: 1 })).toEqual(
      new Uint8Array([100, 1]),
    );
  });

  it('hello with a multi-byte varUint version', () => {
    // 300 = 0b10_0101100 -> low 7 bits with the continuation bit, then 2.
    expect(encodeTandemMessage({ type: MessageType.Hello, protocolVersion: 300 })).toEqual(
      new Uint8Array([100, 0xac, 0x02]),
    );
  });

  it('welcome', () => {
    const bytes = encodeTandemMessage({
      type: MessageType.Welcome,
      protocolVersion: 1,
      roomId: 'r1',
      userId: 'u',
      name: 'Zoë',
      role: 'editor',
    });
    expect(bytes).toEqual(
      new Uint8Array([
        101,
        1,
        2,
        0x72,
        0x31, // "r1"
        1,
        0x75, // "u"
        4,
        0x5a,
        0x6f,
        0xc3,
        0xab, // "Zoë": ë is two UTF-8 bytes
        6,
        0x65,
        0x64,
        0x69,
        0x74,
        0x6f,
        0x72, // "editor"
      ]),
    );
    expect(bytes).toEqual(
      new Uint8Array([101, 1, ...str('r1'), ...str('u'), ...str('Zoë'), ...str('editor')]),
    );
  });

  it('sync-status', () => {
    expect(encodeTandemMessage({ type: MessageType.SyncStatus, counter: 0 })).toEqual(
      new Uint8Array([102, 0]),
    );
    expect(encodeTandemMessage({ type: MessageType.SyncStatus, counter: 128 })).toEqual(
      new Uint8Array([102, 0x80, 0x01]),
    );
  });

  it('error', () => {
    expect(
      encodeTandemMessage({ type: MessageType.Error, code: ErrorCode.RoomFull, message: 'full' }),
    ).toEqual(new Uint8Array([103, 9, ...utf8('room_full'), 4, 0x66, 0x75, 0x6c, 0x6c]));
  });

  it('decodes hand-written bytes', () => {
    expect(decodeTandemMessage(new Uint8Array([100, 1]))).toEqual({ type: 100, protocolVersion: 1 });
    expect(decodeTandemMessage(new Uint8Array([102, 0xff, 0x01]))).toEqual({ type: 102, counter: 255 });
    expect(decodeTandemMessage(new Uint8Array([103, ...str('read_only'), ...str('')]))).toEqual({
      type: 103,
      code: 'read_only',
      message: '',
    });
  });
});

describe('Tandem message codec: hostile input', () => {
  const refuses = (bytes: Uint8Array) => expect(() => decodeTandemMessage(bytes)).toThrow(ProtocolError);

  it('refuses empty input', () => {
    refuses(new Uint8Array([]));
  });

  it('refuses every strict prefix of every message', () => {
    for (const message of MESSAGES) {
      const bytes = encodeTandemMessage(message);
      for (let length = 0; length < bytes.length; length++) refuses(bytes.subarray(0, length));
    }
  });

  it('refuses trailing bytes', () => {
    for (const message of MESSAGES) {
      const bytes = encodeTandemMessage(message);
      refuses(new Uint8Array([...bytes, 0]));
      refuses(new Uint8Array([...bytes, ...bytes]));
    }
  });

  it('readTandemMessage refuses trailing bytes too', () => {
    const decoder = decoding.createDecoder(new Uint8Array([1, 0]));
    expect(() => readTandemMessage(decoder, MessageType.Hello)).toThrow(ProtocolError);
  });

  it('refuses an unknown role', () => {
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', 'admin'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', 'Owner'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n', ''));
  });

  it('refuses an unknown error code', () => {
    refuses(frame(MessageType.Error, 'teapot', 'short and stout'));
    refuses(frame(MessageType.Error, 'ROOM_FULL', 'x'));
  });

  it('refuses strings over 1024 characters', () => {
    refuses(frame(MessageType.Welcome, 1, 'r'.repeat(1025), 'u', 'n', 'owner'));
    refuses(frame(MessageType.Welcome, 1, 'r', 'u', 'n'.repeat(5000), 'owner'));
    refuses(frame(MessageType.Error, ErrorCode.Internal, 'm'.repeat(1025)));
    expect(decodeTandemMessage(frame(MessageType.Error, ErrorCode.Internal, 'm'.repeat(1024)))).toMatchObject(
      {
        message: 'm'.repeat(1024),
      },
    );
  });

  it('refuses a string length that runs past the end', () => {
    refuses(new Uint8Array([103, 0xff, 0xff, 0xff, 0x7f, 0x61]));
    refuses(new Uint8Array([101, 1, 5, 0x61]));
  });

  it('refuses integers that are not safe', () => {
    // 2^53 as a varUint: eight 7-bit groups of zeros with continuation, then 0b10000.
    refuses(new Uint8Array([100, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]));
    refuses(new Uint8Array([102, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  });

  it('refuses the y-protocols types and unknown types', () => {
    for (const type of [0, 1, 2, 3, 4, 99, 104, 127, 128, 255, 1000]) {
      expect(isTandemType(type)).toBe(false);
      refuses(frame(type, 1));
    }
  });

  it('refuses a truncated varUint type', () => {
    refuses(new Uint8Array([0x80]));
  });

  it('never throws anything but ProtocolError on random bytes', () => {
    const random = mulberry32(1);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 24));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      // Start most frames with a Tandem type so the bodies get exercised.
      if (bytes.length > 0 && random() < 0.8) bytes[0] = 100 + Math.floor(random() * 4);
      try {
        // Accepted: then it is a well-formed message (bytes need not be canonical varints or UTF-8).
        const message = decodeTandemMessage(bytes);
        expect(decodeTandemMessage(encodeTandemMessage(message))).toEqual(message);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
