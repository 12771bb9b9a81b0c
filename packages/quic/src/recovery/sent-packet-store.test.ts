import { describe, expect, it } from 'vitest';
import { SentFlags, SentPacketStore, SentStatus } from './sent-packet-store.js';

const AE = SentFlags.ACK_ELICITING | SentFlags.IN_FLIGHT;

function fill(store: SentPacketStore<number>, pns: readonly number[], timeMs = 0): void {
  for (const pn of pns) store.push(pn, timeMs, 1000, AE, pn, -1);
}

describe('SentPacketStore', () => {
  it('allocates nothing until the first packet and grows across the ring boundary in order', () => {
    const store = new SentPacketStore<number>(4);
    expect(store.size).toBe(0);
    fill(store, [0, 1, 2]);
    store.markAcked(0);
    store.pruneFront(0, 0);
    fill(store, [3, 4, 5, 6, 7, 9, 10]); // wraps, then doubles twice
    expect(store.size).toBe(9);
    const got: number[] = [];
    for (let i = 0; i < store.size; i++) got.push(store.pnAt(i));
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10]);
    expect(store.payloadAt(7)).toBe(9);
  });

  it('rejects packet numbers that do not increase', () => {
    const store = new SentPacketStore<number>();
    fill(store, [5]);
    expect(() => fill(store, [5])).toThrow(RangeError);
    expect(() => fill(store, [3])).toThrow(RangeError);
    expect(() => new SentPacketStore<number>(6)).toThrow(RangeError);
  });

  it('rangeStart finds complete ranges and refuses numbers never sent (skips, above largest)', () => {
    const store = new SentPacketStore<number>();
    fill(store, [0, 1, 2, 5, 6, 8]);
    expect(store.rangeStart(0, 2)).toBe(0);
    expect(store.rangeStart(5, 6)).toBe(3);
    expect(store.rangeStart(8, 8)).toBe(5);
    expect(store.rangeStart(2, 5)).toBe(-1);
    expect(store.rangeStart(3, 3)).toBe(-1);
    expect(store.rangeStart(7, 8)).toBe(-1);
    expect(store.rangeStart(9, 9)).toBe(-1);
  });

  it('forgets the front once resolved and ignores ranges below it', () => {
    const store = new SentPacketStore<number>();
    fill(store, [0, 1, 2, 4]);
    store.markAcked(0);
    store.markAcked(1);
    store.markLost(2, 10, 1);
    store.pruneFront(10, 5); // lost at 10, kept 5 ms
    expect(store.size).toBe(2);
    expect(store.forgottenBelow).toBe(2);
    expect(store.cursor).toBe(1); // slot 0 is the retained lost packet
    expect(store.rangeStart(0, 1)).toBe(store.size); // wholly forgotten
    expect(store.rangeStart(0, 2)).toBe(0);
    expect(store.rangeStart(3, 3)).toBe(-1); // skipped, never sent
    store.pruneFront(15, 5);
    expect(store.size).toBe(1);
    expect(store.forgottenBelow).toBe(3);
    expect(store.rangeStart(3, 4)).toBe(-1);
    expect(store.rangeStart(4, 4)).toBe(0);
    store.markAcked(0);
    store.pruneFront(15, 5);
    expect(store.size).toBe(0);
    expect(store.forgottenBelow).toBe(5);
    expect(store.rangeStart(0, 4)).toBe(0); // size 0: nothing to do
  });

  it('ages out unacknowledged packets that are neither ack-eliciting nor in flight, only when asked', () => {
    const store = new SentPacketStore<number>();
    store.push(0, 0, 40, 0, 0, 5);
    store.push(1, 0, 40, 0, 1, 6);
    store.push(2, 50, 1200, AE, 2, -1);
    store.pruneFront(100, 10);
    expect(store.size).toBe(3);
    store.pruneFront(100, 10, 100);
    expect(store.size).toBe(1);
    expect(store.forgottenUnacked).toBe(2);
    expect(store.cursor).toBe(0);
    expect(store.pnAt(0)).toBe(2);
  });

  it('tracks acknowledged send times dropped from the front and searches by time', () => {
    const store = new SentPacketStore<number>();
    store.push(0, 10, 1000, AE, 0, -1);
    store.push(1, 20, 1000, AE, 1, -1);
    store.push(2, 20, 1000, AE, 2, -1);
    store.push(3, 30, 1000, AE, 3, -1);
    expect(store.firstSentAfter(5)).toBe(0);
    expect(store.firstSentAfter(20)).toBe(3);
    expect(store.firstSentAfter(30)).toBe(4);
    store.markAcked(0);
    store.markAcked(1);
    store.pruneFront(40, 0);
    expect(store.droppedAckedMaxTimeMs).toBe(20);
    expect(store.statusAt(0)).toBe(SentStatus.OUTSTANDING);
  });

  it('lowerBound is exact with and without skipped packet numbers', () => {
    const store = new SentPacketStore<number>(4);
    fill(store, [3, 4, 5, 9, 10, 20]);
    const expected: [number, number][] = [
      [0, 0],
      [3, 0],
      [4, 1],
      [5, 2],
      [6, 3],
      [9, 3],
      [10, 4],
      [11, 5],
      [20, 5],
      [21, 6],
    ];
    for (const [pn, index] of expected) expect(store.lowerBound(pn)).toBe(index);
  });

  it('nextLive skips acknowledged slots (path-compressed), stopping at outstanding and lost ones', () => {
    const store = new SentPacketStore<number>(4);
    fill(store, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const i of [1, 2, 3, 5, 6, 9]) store.markAcked(i);
    store.markLost(4, 0, 0);
    expect(store.nextLive(0)).toBe(0);
    expect(store.nextLive(1)).toBe(4); // lost counts as live
    expect(store.nextLive(2)).toBe(4);
    expect(store.nextLive(5)).toBe(7);
    expect(store.nextLive(9)).toBe(10);
    store.markAcked(4);
    store.markAcked(7);
    expect(store.nextLive(1)).toBe(8);
    expect(store.nextLive(3)).toBe(8);
    fill(store, [10]); // the end moves: acknowledged tail slots now lead to the new packet
    store.markAcked(8);
    expect(store.nextLive(1)).toBe(10);
    store.markAcked(0);
    store.pruneFront(0, 0); // drops 0..9 (lost slot 4 was acknowledged late)
    expect(store.size).toBe(1);
    expect(store.nextLive(0)).toBe(0);
    expect(store.pnAt(0)).toBe(10);
  });

  it('clear releases everything but keeps numbering', () => {
    const store = new SentPacketStore<number>();
    fill(store, [0, 1, 2]);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.largestSent).toBe(2);
    expect(store.forgottenBelow).toBe(3);
    expect(() => fill(store, [2])).toThrow(RangeError);
    fill(store, [3]);
    expect(store.rangeStart(3, 3)).toBe(0);
  });
});
