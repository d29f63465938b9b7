/** `window.tandem.media`: what the call looks like from this page, for the console and tests. */
import type { MediaSession } from './mediaSession.js';

export interface LinkReport {
  peerId: string;
  name: string;
  state: string;
  connectionState: string | null;
  channelOpen: boolean;
  remoteTracks: string[];
  media: { audio: boolean; video: boolean; screen: boolean };
}

export function mediaDebug(session: MediaSession) {
  return {
    session,
    links(): LinkReport[] {
      return [...session.mesh.links.peek().values()].map((link) => ({
        peerId: link.peer.peerId,
        name: link.peer.name,
        state: link.state.peek(),
        connectionState: link.connection?.connectionState ?? null,
        channelOpen: link.channelOpen,
        remoteTracks: link.stream.getTracks().map((t) => `${t.kind}:${t.readyState}`),
        media: link.media.peek(),
      }));
    },
  };
}
