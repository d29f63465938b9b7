import { Landing } from './landing/Landing.js';
import { route } from './lib/route.js';
import { ReplayRoute } from './replay/ReplayRoute.js';
import { RoomGate } from './pages/RoomGate.js';

export function App() {
  const current = route.value;
  if (current.page === 'room') {
    // A new key per room and link: switching rooms tears the old one down.
    return (
      <RoomGate
        key={`${current.roomId}#${current.linkToken ?? ''}`}
        roomId={current.roomId}
        linkToken={current.linkToken}
      />
    );
  }
  if (current.page === 'replay') {
    const { roomId, linkToken } = current;
    return <ReplayRoute key={`${roomId ?? ''}#${linkToken ?? ''}`} roomId={roomId} linkToken={linkToken} />;
  }
  return <Landing />;
}
