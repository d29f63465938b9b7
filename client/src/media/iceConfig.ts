/**
 * ICE servers come from the relay (`GET /api/rooms/:roomId/ice`), which mints
 * short-lived TURN credentials; the TURN secret never reaches the browser. The
 * answer is cached until shortly before it expires.
 */
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
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/ice`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`ICE config: HTTP ${response.status}`);
  // The relay sends expiresAt in seconds since the epoch, or null without TURN.
  const body = (await response.json()) as Partial<Omit<IceConfig, 'expiresAt'>> & {
    expiresAt?: number | null;
  };
  return {
    iceServers: Array.isArray(body.iceServers) ? body.iceServers : [],
    iceTransportPolicy: body.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    expiresAt: typeof body.expiresAt === 'number' ? body.expiresAt * 1000 : Infinity,
  };
}
