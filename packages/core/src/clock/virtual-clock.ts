import type { Clock, Timer } from '../contracts/clock.js';
import { FosError } from '../errors.js';
import { type HeapNode, MinHeap } from '../util/min-heap.js';

export interface VirtualClockOptions {
  /** `now()` at creation; default 0. */
  readonly startMs?: number;
  /** Epoch ms that corresponds to now() = 0; default 2026-01-01T00:00:00Z (fixed, so runs replay exactly). */
  readonly epochOffsetMs?: number;
  /** Guard against timer loops: most timers fired by one run call. Default 10 000 000. */
  readonly maxEventsPerRun?: number;
}

export class VirtualClockRunawayError extends FosError {}

/**
 * Simulated time for deterministic tests: nothing happens until the test advances the clock, and then timers
 * fire in deadline order (FIFO among equal deadlines) with `now()` set to each deadline as it fires.
 * A 60-second scenario runs as fast as its callbacks do.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly epochOffset: number;
  private readonly maxEvents: number;
  private readonly heap = new MinHeap<VirtualTimer>();
  private seq = 0;
  private fired = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.startMs ?? 0;
    this.epochOffset = options.epochOffsetMs ?? Date.UTC(2026, 0, 1);
    this.maxEvents = options.maxEventsPerRun ?? 10_000_000;
  }

  now(): number {
    return this.current;
  }

  epochMs(): number {
    return this.epochOffset + this.current;
  }

  createTimer(callback: () => void): Timer {
    return new VirtualTimer(this, callback);
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.heap.size;
  }

  /** Total timers fired since creation. */
  get firedTimers(): number {
    return this.fired;
  }

  /** The earliest armed deadline. */
  get nextDeadline(): number | undefined {
    return this.heap.peek()?.key;
  }

  /** Fires every timer due within `ms` from now, then sets now() to now + ms. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(targetMs: number): void {
    let budget = this.maxEvents;
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.key > targetMs) break;
      if (--budget < 0) throw new VirtualClockRunawayError(`more than ${this.maxEvents} timers fired in one run`);
      this.fireNext();
    }
    if (targetMs > this.current) this.current = targetMs;
  }

  /** Jumps to the next deadline and fires it. Returns false when no timer is armed. */
  step(): boolean {
    if (this.heap.size === 0) return false;
    this.fireNext();
    return true;
  }

  /** Fires timers until none is armed or `untilMs` is reached. Returns the number fired. */
  runAll(untilMs = Number.POSITIVE_INFINITY): number {
    let n = 0;
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.key > untilMs) break;
      if (++n > this.maxEvents)
        throw new VirtualClockRunawayError(`more than ${this.maxEvents} timers fired in one run`);
      this.fireNext();
    }
    return n;
  }

  /**
   * Like `advance`, but lets promise continuations (microtasks and immediates) run after every timer, for code
   * that awaits between events (async iterators, RxJS with promises).
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    await flush();
    let budget = this.maxEvents;
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.key > target) break;
      if (--budget < 0) throw new VirtualClockRunawayError(`more than ${this.maxEvents} timers fired in one run`);
      this.fireNext();
      await flush();
    }
    if (target > this.current) this.current = target;
  }

  /**
   * Advances until `predicate()` holds (checked after every timer and its continuations) or `maxMs` of virtual
   * time passed. Returns whether the predicate held.
   */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<boolean> {
    const limit = this.current + maxMs;
    await flush();
    let budget = this.maxEvents;
    while (!predicate()) {
      const next = this.heap.peek();
      if (next === undefined || next.key > limit) {
        if (limit > this.current) this.current = limit;
        return predicate();
      }
      if (--budget < 0) throw new VirtualClockRunawayError(`more than ${this.maxEvents} timers fired in one run`);
      this.fireNext();
      await flush();
    }
    return true;
  }

  private fireNext(): void {
    const timer = this.heap.pop()!;
    if (timer.key > this.current) this.current = timer.key;
    this.fired++;
    timer.fire();
  }

  /** @internal */
  schedule(timer: VirtualTimer, deadlineMs: number): void {
    timer.key = deadlineMs;
    timer.seq = this.seq++;
    this.heap.update(timer);
  }

  /** @internal */
  cancel(timer: VirtualTimer): void {
    this.heap.remove(timer);
  }
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

class VirtualTimer implements Timer, HeapNode {
  key = 0;
  seq = 0;
  heapIndex = -1;

  constructor(
    private readonly clock: VirtualClock,
    private readonly callback: () => void,
  ) {}

  get deadlineMs(): number | undefined {
    return this.heapIndex >= 0 ? this.key : undefined;
  }

  set(deadlineMs: number): void {
    this.clock.schedule(this, deadlineMs);
  }

  clear(): void {
    this.clock.cancel(this);
  }

  fire(): void {
    this.callback();
  }
}
