/**
 * Frames on the peers' WebRTC data channel (id 0), browser to browser. Binary
 * frames are bare y-protocols sync messages (first varUint 0 step 1, 1 step 2,
 * 2 update), or one of these; text frames are JSON control messages
 * (`{ "t": "media", ... }`). The relay never sees them.
 */
export const PeerChannelFrame = {
  /** varUint8Array(awarenessUpdate) holding only the sender's own client id. */
  Awareness: 100,
  /** "send your awareness state again, with a new clock". */
  AwarenessQuery: 101,
} as const;
