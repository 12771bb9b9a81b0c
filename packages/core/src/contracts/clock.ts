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
  /**
   * True when this is the event loop's own time (as `SystemClock`): a `setImmediate` callback always runs before a
   * timer armed for now, so a driver may schedule "as soon as possible" work with `setImmediate` alone. Leave it
   * unset for a simulated clock, whose time may move on before an immediate runs; drivers then also arm a timer for
   * now.
   */
  readonly realTime?: boolean;
}
export const Clock = token<Clock>('fos.Clock');
