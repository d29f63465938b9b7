/**
 * The baseline server: a bare `ws` broadcast relay. Every frame a socket sends
 * goes unparsed to every other socket connected on the same path (the query
 * string, which carries the token, is ignored). No persistence, no auth, no
 * protocol: the floor that any real relay is measured against.
 *
 * Run as its own process (`node bench/bareRelayMain.mjs`) so that it gets its
 * own event loop, as the real relay does; plain JavaScript, so that its memory
 * is not a TypeScript loader's. Prints `{"event":"listening","port":N}` once it
 * accepts connections.
 */
import { WebSocketServer, WebSocket } from 'ws';

const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** @type {Map<string, Set<WebSocket>>} */
const rooms = new Map();

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
  maxPayload: MAX_PAYLOAD_BYTES,
});

server.on('connection', (socket, request) => {
  const path = (request.url ?? '/').split('?')[0];
  let peers = rooms.get(path);
  if (!peers) rooms.set(path, (peers = new Set()));
  const room = peers;
  room.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const peer of room) {
      if (peer !== socket && peer.readyState === WebSocket.OPEN) peer.send(data, { binary: isBinary });
    }
  });
  socket.on('error', () => socket.terminate());
  socket.on('close', () => {
    room.delete(socket);
    if (room.size === 0 && rooms.get(path) === room) rooms.delete(path);
  });
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ event: 'listening', port }));
});

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
