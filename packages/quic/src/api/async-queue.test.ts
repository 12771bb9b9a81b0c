import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('buffers until an iterator pulls, and ends when closed', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.push(2);
    const it = q[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
    const pending = it.next();
    q.push(3);
    expect(await pending).toEqual({ value: 3, done: false });
    const end = it.next();
    q.close();
    expect(await end).toEqual({ value: undefined, done: true });
    q.push(4); // ignored after close
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('gives a subscriber the backlog, then live items, and completes on close', () => {
    const q = new AsyncQueue<string>();
    q.push('a');
    const seen: string[] = [];
    let completed = false;
    const sub = q.observable.subscribe({ next: (v) => seen.push(v), complete: () => (completed = true) });
    q.push('b');
    expect(seen).toEqual(['a', 'b']);
    expect(q.backlog).toBe(0);
    sub.unsubscribe();
    q.push('c'); // queued again once nobody listens
    expect(q.backlog).toBe(1);
    q.observable.subscribe({ next: (v) => seen.push(v), complete: () => (completed = true) });
    q.close();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(completed).toBe(true);
  });
});

describe('AsyncQueue.remove', () => {
  it('takes an item out of the backlog, keeping the order of the rest', async () => {
    const q = new AsyncQueue<number>();
    for (const x of [1, 2, 3, 4]) q.push(x);
    expect(q.remove(3)).toBe(true);
    expect(q.remove(9)).toBe(false);
    expect(q.drain()).toEqual([1, 2, 4]);
  });
});
