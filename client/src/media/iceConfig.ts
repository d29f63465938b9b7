/**
 * ICE servers come from the relay (`GET /api/rooms/:roomId/ice`), which mints
 * short-lived TURN credentials; the TURN secret never reaches the browser. The
 * answer is cached until shortly before it expires.
 */
import { IceAnswer } from '../../../shared/api/answers.js';
import { request } from '../lib/api.js';

export interface IceConfig {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  /** Milliseconds since the epoch; Infinity without TURN credentials. */
  expiresAt: number;
}

const REFRESH_MARGIN_MS = 60_000;
const FALLBACK: IceConfig = { iceServers: [], iceTransportPolicy: 'all', expiresAt: 0 };

export function iceConfigSource(roomId: string, token: string): () => Promise<IceConfig> {
  let cached: IceConfig | null = null;
  let pending: Promise<IceConfig> | null = null;
  return () => {
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return Promise.resolve(cached);
    pending ??= fetchIceConfig(roomId, token)
      .then((config) => (cached = config))
      .catch((error: unknown) => {
        // Loopback and LAN peers still connect with no ICE servers at all.
        console.warn('Tandem: no ICE servers from the relay; trying direct connections only', error);
        return FALLBACK;
      })
      .finally(() => (pending = null));
    return pending;
  };
}

async function fetchIceConfig(roomId: string, token: string): Promise<IceConfig> {
  const path = `/api/rooms/${encodeURIComponent(roomId)}/ice`;
  const body = await request(path, { method: 'GET', token }, IceAnswer);
  return {
    iceServers: body.iceServers,
    iceTransportPolicy: body.iceTransportPolicy,
    // The relay sends expiresAt in seconds since the epoch, or null without TURN.
    expiresAt: body.expiresAt === null ? Infinity : body.expiresAt * 1000,
  };
}
