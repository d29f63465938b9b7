import * as auth from 'y-protocols/auth';
import * as sync from 'y-protocols/sync';
import * as provider from 'y-websocket';
import { describe, expect, it } from 'vitest';
import { MessageType, PROTOCOL_VERSION, SyncStep } from './table.js';

describe('message types', () => {
  it('0 to 3 are the ones the y-websocket provider uses', () => {
    expect(MessageType.Sync).toBe(provider.messageSync);
    expect(MessageType.Awareness).toBe(provider.messageAwareness);
    expect(MessageType.Auth).toBe(provider.messageAuth);
    expect(MessageType.QueryAwareness).toBe(provider.messageQueryAwareness);
    expect([MessageType.Sync, MessageType.Awareness, MessageType.Auth, MessageType.QueryAwareness]).toEqual([
      0, 1, 2, 3,
    ]);
  });

  it('sync sub-types are y-protocols sync ones', () => {
    expect(SyncStep.Step1).toBe(sync.messageYjsSyncStep1);
    expect(SyncStep.Step2).toBe(sync.messageYjsSyncStep2);
    expect(SyncStep.Update).toBe(sync.messageYjsUpdate);
    expect(auth.messagePermissionDenied).toBe(0);
  });

  it("Tandem's own types are 100 or more and unique", () => {
    const values = Object.values(MessageType);
    expect(new Set(values).size).toBe(values.length);
    const own = values.filter((type) => type > 3);
    expect(own.length).toBeGreaterThan(0);
    for (const type of own) expect(type).toBeGreaterThanOrEqual(100);
  });

  it('the protocol version is a positive integer', () => {
    expect(Number.isSafeInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });
});
