import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from '../contracts/clock.js';

export interface SystemClockOptions {
  /** Let armed timers not keep the process alive (sockets still do). Default false. */
  readonly unrefTimers?: boolean;
}

/** Real time: `performance.now()` and `setTimeout`. */
export class SystemClock implements Clock {
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
  private readonly fire = (): void => {
    // libuv's timer clock is cached per loop turn and may run slightly behind performance.now(): a timer can fire a
    // fraction of a millisecond early. Never call back before the deadline; wait out the remainder instead.
    const remaining = (this.deadlineMs ?? 0) - this.clock.now();
    if (remaining > 0) {
      this.handle = setTimeout(this.fire, Math.ceil(remaining));
      if (this.unref) this.handle.unref();
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
    if (this.handle !== undefined && this.deadlineMs === deadlineMs) return;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.deadlineMs = deadlineMs;
    // setTimeout has millisecond resolution and never fires early; round up so a deadline is not missed by a hair.
    const delay = Math.max(0, Math.ceil(deadlineMs - this.clock.now()));
    this.handle = setTimeout(this.fire, delay);
    if (this.unref) this.handle.unref();
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.deadlineMs = undefined;
  }
}
