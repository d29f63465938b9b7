import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceConfig, turnCredential } from './turn.js';

const SECRET = 'a-coturn-static-auth-secret';

describe('TURN credentials (coturn REST scheme)', () => {
  it('username is expiry:userId and the password its base64 HMAC-SHA1 under the secret', () => {
    const { username, credential } = turnCredential(SECRET, 'u1', 1_800_000_000);
    expect(username).toBe('1800000000:u1');
    expect(credential).toBe(createHmac('sha1', SECRET).update('1800000000:u1').digest('base64'));
    // Golden value: printf '1000:alice' | openssl dgst -sha1 -hmac secret -binary | base64
    expect(turnCredential('secret', 'alice', 1000).credential).toBe('6L+E1YAMNKLM/muDqj3WC+RrDLc=');
  });

  it('gives STUN as is, TURN with credentials expiring after the TTL, never the secret', () => {
    const config = iceConfig(
      {
        urls: ['stun:stun.example:3478', 'turn:turn.example:3478', 'turns:turn.example:5349'],
        turnSecret: SECRET,
        turnTtlSeconds: 600,
        relayOnly: false,
      },
      'u2',
      1_000,
    );
    expect(config).toEqual({
      iceServers: [
        { urls: ['stun:stun.example:3478'] },
        {
          urls: ['turn:turn.example:3478', 'turns:turn.example:5349'],
          ...turnCredential(SECRET, 'u2', 1_600),
        },
      ],
      iceTransportPolicy: 'all',
      expiresAt: 1_600,
    });
    expect(JSON.stringify(config)).not.toContain(SECRET);
  });

  it('offers no TURN without a secret, and relay-only sets the transport policy', () => {
    const config = iceConfig(
      { urls: ['turn:turn.example:3478'], turnSecret: null, turnTtlSeconds: 600, relayOnly: true },
      'u',
      0,
    );
    expect(config).toEqual({ iceServers: [], iceTransportPolicy: 'relay', expiresAt: null });
  });
});
