import { RingQueue } from '@fos/core';
import { Observable, type Subscriber } from 'rxjs';

/**
 * Hands items (incoming connections, incoming streams) to whoever consumes them: items wait in a queue until an
 * async iterator pulls them or an Observable subscriber appears (which then receives the backlog and every later
 * item, like a Subject that buffers while nobody listens). With subscribers present, iterators receive nothing.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  /** Subscribing drains the backlog, then receives live items; completes when the queue is closed. */
  readonly observable: Observable<T>;
  private readonly items = new RingQueue<T>(4);
  private readonly waiters = new RingQueue<(r: IteratorResult<T>) => void>(2);
  private readonly observers = new Set<Subscriber<T>>();
  private done = false;

  constructor() {
    this.observable = new Observable<T>((sub) => {
      for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) sub.next(item);
      if (this.done) {
        sub.complete();
        return;
      }
      this.observers.add(sub);
      return () => {
        this.observers.delete(sub);
      };
    });
  }

  /** Items waiting for a consumer. */
  get backlog(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.done;
  }

  push(item: T): void {
    if (this.done) return;
    if (this.observers.size > 0) {
      for (const o of this.observers) o.next(item);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter({ value: item, done: false });
    else this.items.push(item);
  }

  /** The next item, waiting for one; `done` once the queue is closed and drained. */
  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more items: waiting iterators finish, subscribers complete. Queued items can still be taken. */
  close(): void {
    if (this.done) return;
    this.done = true;
    for (let w = this.waiters.shift(); w !== undefined; w = this.waiters.shift()) w({ value: undefined, done: true });
    for (const o of [...this.observers]) o.complete();
    this.observers.clear();
  }

  /**
   * Takes `item` out of the backlog if it is still waiting there (an incoming connection or stream that ended before
   * anyone accepted it: it must not pile up). O(backlog).
   */
  remove(item: T): boolean {
    const n = this.items.length;
    let found = false;
    for (let i = 0; i < n; i++) {
      const x = this.items.shift()!;
      if (!found && x === item) found = true;
      else this.items.push(x);
    }
    return found;
  }

  /** Drops what is still queued (and returns it). */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) out.push(item);
    return out;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}
