import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from '../contracts/clock.js';

export interface SystemClockOptions {
  /** Let armed timers not keep the process alive (sockets still do). Default false. */
  readonly unrefTimers?: boolean;
}

/** Real time: `performance.now()` and `setTimeout`. */
export class SystemClock implements Clock {
  readonly realTime = true;
  private readonly unref: boolean;
  private readonly originEpochMs = performance.timeOrigin;

  constructor(options: SystemClockOptions = {}) {
    this.unref = options.unrefTimers ?? false;
  }

  now(): number {
    return performance.now();
  }

  epochMs(): number {
    return this.originEpochMs + performance.now();
  }

  createTimer(callback: () => void): Timer {
    return new SystemTimer(this, callback, this.unref);
  }
}

class SystemTimer implements Timer {
  deadlineMs: number | undefined = undefined;
  private handle: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The deadline the pending `setTimeout` was armed for (at or before `deadlineMs`). */
  private armedMs = 0;
  private readonly fire = (): void => {
    // libuv's timer clock is cached per loop turn and may run slightly behind performance.now(): a timer can fire a
    // fraction of a millisecond early. Never call back before the deadline; wait out the remainder instead. This is
    // also how a deadline that moved later (see `set`) is reached.
    const remaining = (this.deadlineMs ?? 0) - this.clock.now();
    if (remaining > 0) {
      this.arm(this.deadlineMs ?? 0, remaining);
      return;
    }
    this.handle = undefined;
    this.deadlineMs = undefined;
    this.callback();
  };

  constructor(
    private readonly clock: SystemClock,
    private readonly callback: () => void,
    private readonly unref: boolean,
  ) {}

  set(deadlineMs: number): void {
    if (this.handle !== undefined) {
      if (this.deadlineMs === deadlineMs) return;
      // A deadline moved later (a loss or idle timer pushed back by every ACK) keeps the pending timeout: when it
      // fires, `fire` waits out the rest. Only an earlier deadline replaces it. This saves a clearTimeout +
      // setTimeout pair on most calls.
      if (this.armedMs <= deadlineMs) {
        this.deadlineMs = deadlineMs;
        return;
      }
      clearTimeout(this.handle);
    }
    this.deadlineMs = deadlineMs;
    this.arm(deadlineMs, deadlineMs - this.clock.now());
  }

  private arm(deadlineMs: number, remainingMs: number): void {
    this.armedMs = deadlineMs;
    // setTimeout has millisecond resolution and never fires early; round up so a deadline is not missed by a hair.
    this.handle = setTimeout(this.fire, Math.max(0, Math.ceil(remainingMs)));
    if (this.unref) this.handle.unref();
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.deadlineMs = undefined;
  }
}
