import { describe, expect, it } from 'vitest';
import { RoomAnswer, TokenAnswer } from '../../../shared/api/answers.js';
import { ApiError, parseAnswer } from './api.js';

describe('parseAnswer', () => {
  it('gives back a fitting answer, typed, without keys the schema does not know', () => {
    expect(parseAnswer(TokenAnswer, { token: 't.1', extra: 1 })).toEqual({ token: 't.1' });
  });

  it('turns an answer that does not fit into an ApiError naming where', () => {
    const room = { id: 'r', createdAt: 1, settings: {}, you: {}, participants: [] };
    let caught: unknown;
    try {
      parseAnswer(RoomAnswer, room);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('internal');
    expect((caught as ApiError).message).toMatch(
      /^The server sent an answer this page cannot read \(at "settings\.name"\): /,
    );
    expect(() => parseAnswer(TokenAnswer, null)).toThrow(ApiError);
  });
});
