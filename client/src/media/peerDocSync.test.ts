import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { Role } from '../../../shared/roles.js';
import { connectPeerDocSync, PEER_ORIGIN, type DocChannel, type DocChannels } from './peerDocSync.js';
import type { PeerInfo } from '../../../shared/protocol/table.js';

type Listener<T extends unknown[]> = (...args: T) => void;

/** A mesh of one in-memory link to each other fake; frames are delivered at once. */
class FakeMesh implements DocChannels {
  readonly links: DocChannel[] = [];
  readonly binary = new Set<Listener<[DocChannel, Uint8Array]>>();
  readonly open = new Set<Listener<[DocChannel]>>();
  sent = 0;
  constructor(readonly self: PeerInfo) {}
  broadcast(bytes: Uint8Array): number {
    for (const link of this.links) link.send(bytes);
    return this.links.length;
  }
  onBinary(listener: Listener<[DocChannel, Uint8Array]>) {
    this.binary.add(listener);
    return () => this.binary.delete(listener);
  }
  onLinkOpen(listener: Listener<[DocChannel]>) {
    this.open.add(listener);
    return () => this.open.delete(listener);
  }
}

const peer = (peerId: string, role: Role): PeerInfo => ({ peerId, userId: peerId, name: peerId, role });

function connect(a: FakeMesh, b: FakeMesh): void {
  const toB: DocChannel = {
    peer: b.self,
    send: (bytes) => (a.sent++, b.binary.forEach((l) => l(toA, bytes)), true),
  };
  const toA: DocChannel = {
    peer: a.self,
    send: (bytes) => (b.sent++, a.binary.forEach((l) => l(toB, bytes)), true),
  };
  a.links.push(toB);
  b.links.push(toA);
  a.open.forEach((l) => l(toB));
  b.open.forEach((l) => l(toA));
}

function person(id: string, role: Role) {
  const doc = new Y.Doc();
  const mesh = new FakeMesh(peer(id, role));
  const stop = connectPeerDocSync(doc, mesh, {
    remoteOrigins: () => ['relay'],
    canEdit: () => role !== 'viewer',
  });
  return { doc, mesh, stop, text: () => doc.getText('t').toString() };
}

describe('document sync over peer channels', () => {
  it('catches up on open, then sends each local edit once and never echoes', () => {
    const alice = person('a', 'editor');
    const bob = person('b', 'editor');
    alice.doc.getText('t').insert(0, 'before ');
    connect(alice.mesh, bob.mesh);
    expect(bob.text()).toBe('before ');
    const sentBefore = alice.mesh.sent + bob.mesh.sent;
    bob.doc.getText('t').insert(7, 'after');
    expect(alice.text()).toBe('before after');
    // One frame from Bob; Alice applied it with PEER_ORIGIN and sent nothing back.
    expect(alice.mesh.sent + bob.mesh.sent - sentBefore).toBe(1);
  });

  it('does not send what came from the relay', () => {
    const alice = person('a', 'editor');
    const bob = person('b', 'editor');
    connect(alice.mesh, bob.mesh);
    const other = new Y.Doc();
    other.getText('t').insert(0, 'from the relay');
    Y.applyUpdate(alice.doc, Y.encodeStateAsUpdate(other), 'relay');
    expect(bob.text()).toBe('');
  });

  it("ignores a viewer's updates and sends nothing from a viewer's page", () => {
    const owner = person('a', 'owner');
    const viewer = person('v', 'viewer');
    connect(owner.mesh, viewer.mesh);
    // A viewer's page does not send; even a frame it sends by hand is ignored.
    viewer.doc.getText('t').insert(0, 'viewer text');
    expect(owner.text()).toBe('');
    const forged = new Y.Doc();
    forged.getText('t').insert(0, 'forged');
    const frame = new Uint8Array([2, ...encodeVarBytes(Y.encodeStateAsUpdate(forged))]);
    owner.mesh.binary.forEach((l) => l(owner.mesh.links[0]!, frame));
    expect(owner.text()).toBe('');
    // The same frame from an editor's link is applied.
    connect(owner.mesh, person('e', 'editor').mesh);
    owner.mesh.binary.forEach((l) => l(owner.mesh.links[1]!, frame));
    expect(owner.text()).toBe('forged');
  });

  it('drops a malformed frame without throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const alice = person('a', 'editor');
    const bob = person('b', 'editor');
    connect(alice.mesh, bob.mesh);
    expect(() =>
      alice.mesh.binary.forEach((l) => l(alice.mesh.links[0]!, new Uint8Array([2, 5, 1]))),
    ).not.toThrow();
    expect(alice.doc.getText('t').toString()).toBe('');
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(PEER_ORIGIN.toString()).toContain('tandem-peer');
  });
});

function encodeVarBytes(bytes: Uint8Array): number[] {
  const length: number[] = [];
  let n = bytes.length;
  while (n > 127) {
    length.push((n & 127) | 128);
    n >>>= 7;
  }
  length.push(n);
  return [...length, ...bytes];
}
