import { token } from '../di/token.js';

/**
 * A re-armable one-shot timer. A connection keeps one and re-arms it after each turn (no per-event closures).
 * Arming an armed timer replaces its deadline.
 */
export interface Timer {
  /** Fires the callback at `deadlineMs` (a `Clock.now()` value); a deadline in the past fires as soon as possible. */
  set(deadlineMs: number): void;
  clear(): void;
  /** The armed deadline, or undefined when idle. */
  readonly deadlineMs: number | undefined;
}

/**
 * Monotonic time in milliseconds (fractional), plus timers on the same time base.
 * Only drivers and simulations touch it; sans-I/O state machines receive `now` as an argument.
 */
export interface Clock {
  /** Milliseconds on a monotonic time base (not the Unix epoch). */
  now(): number;
  /** Unix epoch milliseconds corresponding to `now()` (for qlog reference_time and certificate validity). */
  epochMs(): number;
  createTimer(callback: () => void): Timer;
}
export const Clock = token<Clock>('fos.Clock');
