/**
 * ICE servers for a client, with short-lived TURN credentials in coturn's REST
 * scheme (`use-auth-secret`): username `expiry:userId`, password the base64
 * HMAC-SHA1 of that username under the shared secret. The secret itself never
 * leaves the relay; a credential stops working at its expiry.
 */
import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface IceConfig {
  iceServers: IceServer[];
  /** "relay" hides the users' own addresses from each other (TURN only). */
  iceTransportPolicy: 'all' | 'relay';
  /** Seconds since the epoch after which the TURN credentials stop working; null without TURN. */
  expiresAt: number | null;
}

export interface IceSettings {
  urls: readonly string[];
  turnSecret: string | null;
  turnTtlSeconds: number;
  relayOnly: boolean;
}

export function turnCredential(
  secret: string,
  userId: string,
  expiresAt: number,
): { username: string; credential: string } {
  const username = `${expiresAt}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export function iceConfig(settings: IceSettings, userId: string, nowSeconds: number): IceConfig {
  const stun = settings.urls.filter((url) => url.startsWith('stun:') || url.startsWith('stuns:'));
  const turn = settings.urls.filter((url) => url.startsWith('turn:') || url.startsWith('turns:'));
  const iceServers: IceServer[] = stun.length > 0 ? [{ urls: stun }] : [];
  let expiresAt: number | null = null;
  if (turn.length > 0 && settings.turnSecret) {
    expiresAt = nowSeconds + settings.turnTtlSeconds;
    iceServers.push({ urls: turn, ...turnCredential(settings.turnSecret, userId, expiresAt) });
  }
  return { iceServers, iceTransportPolicy: settings.relayOnly ? 'relay' : 'all', expiresAt };
}
