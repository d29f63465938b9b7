import { describe, expect, it } from 'vitest';
import { CloseCode, CloseReason } from './closeCodes.js';

/** RFC 6455 §5.5: a control frame's payload is at most 125 bytes, two of them the code. */
const REASON_MAX_BYTES = 123;

describe('close codes', () => {
  const codes = Object.values(CloseCode);

  it('every code has a non-empty reason of at most 123 UTF-8 bytes', () => {
    for (const code of codes) {
      const reason = CloseReason[code];
      expect(reason, `reason for ${code}`).toBeTruthy();
      expect(new TextEncoder().encode(reason).length, `reason for ${code}`).toBeLessThanOrEqual(
        REASON_MAX_BYTES,
      );
    }
    expect(Object.keys(CloseReason).map(Number).sort()).toEqual([...codes].sort());
  });

  it('codes are unique', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('application codes sit in 4400-4599; the rest are RFC 6455 codes a server may send', () => {
    for (const code of codes) {
      if (code >= 4000) {
        expect(code).toBeGreaterThanOrEqual(4400);
        expect(code).toBeLessThanOrEqual(4599);
      } else {
        // 1005, 1006 and 1015 are reserved: never sent in a close frame.
        expect([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011]).toContain(code);
      }
    }
  });
});

describe('close codes and reconnection', () => {
  // y-websocket stops reconnecting on 4400-4499 and retries on everything else.
  const permanent = (code: number) => code >= 4400 && code < 4500;

  it('puts conditions that pass with time in the range clients retry', () => {
    for (const code of [
      CloseCode.PongTimeout,
      CloseCode.SlowConsumer,
      CloseCode.RoomUnavailable,
      CloseCode.GoingAway,
      CloseCode.UpdatesWaiting,
    ]) {
      expect(permanent(code)).toBe(false);
    }
  });

  it('puts conditions a retry cannot fix in the permanent range', () => {
    for (const code of [
      CloseCode.MalformedMessage,
      CloseCode.TokenExpired,
      CloseCode.Forbidden,
      CloseCode.ProtocolMismatch,
      CloseCode.UpdateRefused,
    ]) {
      expect(permanent(code)).toBe(true);
    }
  });
});
