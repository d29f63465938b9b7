/**
 * Standard base64 (RFC 4648, with padding) in plain code, the same in Node, a
 * browser tab and a worker: lib0's picks Buffer or atob by sniffing the
 * environment and finds neither in a worker, and Node's decoder skips
 * characters it does not know instead of failing. Decoding is strict.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Characters turned into a string at once (String.fromCharCode takes them as arguments). */
const CHUNK_CHARS = 8192;

export function encodeBase64(bytes: Uint8Array): string {
  const chars = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chars[o++] = CODES[n >> 18]!;
    chars[o++] = CODES[(n >> 12) & 63]!;
    chars[o++] = CODES[(n >> 6) & 63]!;
    chars[o++] = CODES[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    chars[o++] = CODES[n >> 18]!;
    chars[o++] = CODES[(n >> 12) & 63]!;
    chars[o++] = rest === 2 ? CODES[(n >> 6) & 63]! : PAD;
    chars[o] = PAD;
  }
  let text = '';
  for (let at = 0; at < chars.length; at += CHUNK_CHARS)
    text += String.fromCharCode(...chars.subarray(at, at + CHUNK_CHARS));
  return text;
}

/** The bytes, or null if `text` is not padded standard base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = last && padding === 2 ? 0 : value(text, i + 2);
    const d = last && padding > 0 ? 0 : value(text, i + 3);
    if ((a | b | c | d) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o++] = n >> 16;
    if (o < bytes.length) bytes[o++] = (n >> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  return bytes;
}

function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? VALUES[code]! : -1;
}
