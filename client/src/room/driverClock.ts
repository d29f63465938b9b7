/**
 * The driver/navigator timer as the page shows it: who drives, who navigates,
 * and how long until they swap, on the relay's clock (the page's own clock may
 * be off by minutes; the relay sends its time with every roomState).
 */
import { useEffect, useState } from 'preact/hooks';
import {
  currentDriver,
  DRIVER_PERIOD_MAX_MS,
  DRIVER_PERIOD_MIN_MS,
  nextHandover,
  type DriverTimer,
} from '../../../shared/rooms.js';
import type { RoomPolicy } from './policy.js';

const TICK_MS = 1000;
export const MINUTE_MS = 60_000;

export interface DriverTurn {
  driver: string;
  navigator: string;
  msLeft: number;
}

export function driverTurn(timer: DriverTimer, serverNow: number): DriverTurn {
  const driver = currentDriver(timer, serverNow);
  const navigator = timer.userIds[0] === driver ? timer.userIds[1] : timer.userIds[0];
  return { driver, navigator, msLeft: Math.max(0, nextHandover(timer, serverNow) - serverNow) };
}

/** 83_000 -> "1:23"; an hour or more -> "1:02:03". */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The relay's clock, re-read every second while `running`. */
export function useServerNow(policy: RoomPolicy, running: boolean): number {
  const [now, setNow] = useState(() => policy.serverNow());
  useEffect(() => {
    if (!running) return;
    setNow(policy.serverNow());
    const timer = setInterval(() => setNow(policy.serverNow()), TICK_MS);
    return () => clearInterval(timer);
  }, [policy, running]);
  return now;
}

/** Checks the owner's form before any request: the request, or a sentence saying what is wrong. */
export function driverRequest(
  driver: string,
  navigator: string,
  minutesText: string,
): { userIds: [string, string]; minutes: number } | string {
  if (!driver || !navigator) return 'Pick a driver and a navigator.';
  if (driver === navigator) return 'The driver and the navigator must be two different people.';
  const minutes = Number(minutesText);
  const ms = minutes * MINUTE_MS;
  if (
    minutesText.trim() === '' ||
    !Number.isFinite(minutes) ||
    ms < DRIVER_PERIOD_MIN_MS ||
    ms > DRIVER_PERIOD_MAX_MS
  ) {
    return `Swap every ${DRIVER_PERIOD_MIN_MS / MINUTE_MS} to ${DRIVER_PERIOD_MAX_MS / MINUTE_MS} minutes.`;
  }
  return { userIds: [driver, navigator], minutes };
}
