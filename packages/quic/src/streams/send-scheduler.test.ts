import { describe, expect, it } from 'vitest';
import { SchedulerEntry, SendScheduler } from './send-scheduler.js';

/** Serves `n` frames of new data: returns the stream IDs in order (entries stay active). */
function serve(s: SendScheduler, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = s.peekNew();
    if (e === undefined) break;
    out.push(e.streamId);
    s.servedNew(e);
  }
  return out;
}

describe('SendScheduler', () => {
  it('round-robins incremental streams of the same urgency, one frame each', () => {
    const s = new SendScheduler();
    const entries = [0, 4, 8].map((id) => new SchedulerEntry(id));
    for (const e of entries) s.setNew(e, true);
    expect(serve(s, 7)).toEqual([0, 4, 8, 0, 4, 8, 0]);
  });

  it('serves lower urgency values first (RFC 9218 §4.1, §10)', () => {
    const s = new SendScheduler();
    const low = new SchedulerEntry(0, 5);
    const high = new SchedulerEntry(4, 1);
    const mid = new SchedulerEntry(8, 3);
    s.setNew(low, true);
    s.setNew(mid, true);
    s.setNew(high, true);
    expect(serve(s, 3)).toEqual([4, 4, 4]);
    s.setNew(high, false);
    expect(serve(s, 2)).toEqual([8, 8]);
    s.setNew(mid, false);
    expect(serve(s, 1)).toEqual([0]);
  });

  it('serves non-incremental streams one at a time in ascending stream ID (RFC 9218 §10)', () => {
    const s = new SendScheduler();
    for (const id of [12, 4, 8]) s.setNew(new SchedulerEntry(id, 3, false), true);
    expect(serve(s, 3)).toEqual([4, 4, 4]);
  });

  it('alternates between incremental and non-incremental streams of one urgency (no starvation)', () => {
    const s = new SendScheduler();
    s.setNew(new SchedulerEntry(0, 3, false), true);
    s.setNew(new SchedulerEntry(4, 3, true), true);
    s.setNew(new SchedulerEntry(8, 3, true), true);
    expect(serve(s, 6)).toEqual([4, 0, 8, 0, 4, 0]);
  });

  it('puts retransmissions first, by urgency then arrival order', () => {
    const s = new SendScheduler();
    const a = new SchedulerEntry(0, 3);
    const b = new SchedulerEntry(4, 3);
    const c = new SchedulerEntry(8, 0);
    s.setUrgent(a, true);
    s.setUrgent(b, true);
    s.setUrgent(c, true);
    s.setUrgent(a, true); // already queued: keeps its place
    expect(s.peekUrgent()).toBe(c);
    s.setUrgent(c, false);
    expect(s.peekUrgent()).toBe(a);
    s.setUrgent(a, false);
    expect(s.peekUrgent()).toBe(b);
    s.setUrgent(b, false);
    expect(s.hasUrgent).toBe(false);
  });

  it('setPriority moves a queued stream', () => {
    const s = new SendScheduler();
    const a = new SchedulerEntry(0);
    const b = new SchedulerEntry(4);
    s.setNew(a, true);
    s.setNew(b, true);
    s.setUrgent(b, true);
    s.setPriority(b, 0, false);
    expect(s.peekNew()).toBe(b);
    s.setUrgent(a, true);
    expect(s.peekUrgent()).toBe(b);
    s.setPriority(b, 7, true);
    expect(s.peekNew()).toBe(a);
    expect(s.peekUrgent()).toBe(a);
  });

  it('remove() takes a stream out of every queue; adding twice is idempotent', () => {
    const s = new SendScheduler();
    const a = new SchedulerEntry(0);
    const b = new SchedulerEntry(4);
    s.setNew(a, true);
    s.setNew(a, true);
    s.setNew(b, true);
    s.setUrgent(a, true);
    s.remove(a);
    expect(s.hasUrgent).toBe(false);
    expect(serve(s, 3)).toEqual([4, 4, 4]);
    s.remove(b);
    expect(s.hasNew).toBe(false);
    expect(s.peekNew()).toBeUndefined();
  });

  it('removing the ring head keeps the rotation going', () => {
    const s = new SendScheduler();
    const e = [0, 4, 8, 12].map((id) => new SchedulerEntry(id));
    for (const x of e) s.setNew(x, true);
    expect(serve(s, 1)).toEqual([0]);
    s.setNew(e[1], false); // the current head
    expect(serve(s, 4)).toEqual([8, 12, 0, 8]);
  });
});
