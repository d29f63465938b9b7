import { describe, expect, it } from 'vitest';
import { driverRequest, driverTurn, formatCountdown } from './driverClock.js';

describe('driverTurn', () => {
  const timer = { userIds: ['u-ann', 'u-bob'] as [string, string], periodMs: 60_000, startedAt: 1_000_000 };

  it('names the driver and navigator and the time to the next handover', () => {
    expect(driverTurn(timer, 1_000_000 + 15_000)).toEqual({
      driver: 'u-ann',
      navigator: 'u-bob',
      msLeft: 45_000,
    });
    expect(driverTurn(timer, 1_000_000 + 61_000)).toEqual({
      driver: 'u-bob',
      navigator: 'u-ann',
      msLeft: 59_000,
    });
  });

  it('before the start (a clock behind), the first driver has the keyboard', () => {
    expect(driverTurn(timer, 999_000).driver).toBe('u-ann');
  });
});

describe('formatCountdown', () => {
  it('shows minutes and seconds, hours when there are some, rounding up', () => {
    expect(formatCountdown(83_000)).toBe('1:23');
    expect(formatCountdown(400)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });
});

describe('driverRequest', () => {
  it('takes two different people and 0.5 to 240 minutes', () => {
    expect(driverRequest('u-ann', 'u-bob', '10')).toEqual({ userIds: ['u-ann', 'u-bob'], minutes: 10 });
    expect(driverRequest('u-ann', 'u-bob', '0.5')).toEqual({ userIds: ['u-ann', 'u-bob'], minutes: 0.5 });
  });

  it('says what is wrong otherwise', () => {
    expect(driverRequest('', 'u-bob', '10')).toBe('Pick a driver and a navigator.');
    expect(driverRequest('u-ann', 'u-ann', '10')).toContain('two different people');
    for (const bad of ['0.2', '241', '', 'ten', 'Infinity']) {
      expect(driverRequest('u-ann', 'u-bob', bad)).toBe('Swap every 0.5 to 240 minutes.');
    }
  });
});
