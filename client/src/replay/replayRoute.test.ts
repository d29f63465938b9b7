import { describe, expect, it } from 'vitest';
import { historyPath, parseReplayPath } from './replayRoute.js';

describe('parseReplayPath', () => {
  it('reads a room history and the file page', () => {
    expect(parseReplayPath('/r/abc_D-9/history')).toEqual({ roomId: 'abc_D-9' });
    expect(parseReplayPath('/r/abc/history/')).toEqual({ roomId: 'abc' });
    expect(parseReplayPath('/replay')).toEqual({ roomId: null });
    expect(parseReplayPath(historyPath('x1'))).toEqual({ roomId: 'x1' });
  });

  it('leaves every other path alone', () => {
    for (const path of ['/', '/r/abc', '/r/abc/historyx', '/r/a.b/history', '/replay/x', '/r//history'])
      expect(parseReplayPath(path)).toBeNull();
  });
});
