/** Small deterministic helpers for the journey's waits and its single-writer lock. */
import { condition } from '@temporalio/workflow';

/**
 * Waits up to `windowMs` for `done`, sending the reminder `reminderBeforeMs`
 * before the end if still waiting. True if `done` came true in time.
 */
export async function waitWithReminder(
  done: () => boolean,
  windowMs: number,
  reminderBeforeMs: number,
  remind: () => Promise<void>,
): Promise<boolean> {
  const untilReminder = windowMs - reminderBeforeMs;
  if (untilReminder <= 0 || reminderBeforeMs <= 0) return condition(done, windowMs);
  if (await condition(done, untilReminder)) return true;
  await remind();
  return condition(done, reminderBeforeMs);
}

/**
 * Runs one journey step at a time: update handlers, offer expiries and the
 * main loop all change the same case, so each takes its turn in order.
 */
export function createLock() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(step: () => Promise<T>): Promise<T> {
      const result = tail.then(step);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();
