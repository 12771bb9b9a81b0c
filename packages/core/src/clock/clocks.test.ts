import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.js';
import { VirtualClock, VirtualClockRunawayError } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in deadline order, FIFO among equal deadlines, with now() at each deadline', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const mk = (name: string) => clock.createTimer(() => log.push(`${name}@${clock.now()}`));
    const a = mk('a');
    const b = mk('b');
    const c = mk('c');
    const d = mk('d');
    a.set(30);
    b.set(10);
    c.set(10);
    d.set(20);
    d.clear();
    clock.advance(25);
    expect(log).toEqual(['b@10', 'c@10']);
    expect(clock.now()).toBe(25);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(5);
    expect(log).toEqual(['b@10', 'c@10', 'a@30']);
    expect(a.deadlineMs).toBeUndefined();
  });

  it('re-arming replaces the deadline; a deadline in the past fires at the current time', () => {
    const clock = new VirtualClock({ startMs: 100 });
    const fired: number[] = [];
    const t = clock.createTimer(() => fired.push(clock.now()));
    t.set(500);
    t.set(150);
    expect(t.deadlineMs).toBe(150);
    clock.advance(100);
    expect(fired).toEqual([150]);
    t.set(50);
    clock.advance(0);
    expect(fired).toEqual([150, 200]);
  });

  it('timers armed from callbacks run within the same advance when due', () => {
    const clock = new VirtualClock();
    let n = 0;
    const t = clock.createTimer(() => {
      n++;
      if (n < 5) t.set(clock.now() + 10);
    });
    t.set(10);
    clock.advance(1000);
    expect(n).toBe(5);
    expect(clock.firedTimers).toBe(5);
  });

  it('guards against timer loops', () => {
    const clock = new VirtualClock({ maxEventsPerRun: 100 });
    const t = clock.createTimer(() => t.set(clock.now()));
    t.set(0);
    expect(() => clock.advance(1)).toThrow(VirtualClockRunawayError);
  });

  it('runUntil lets promise continuations run between timers', async () => {
    const clock = new VirtualClock();
    let resolved = false;
    const t = clock.createTimer(() => {
      void Promise.resolve().then(() => {
        resolved = true;
      });
    });
    t.set(40);
    expect(await clock.runUntil(() => resolved, 1000)).toBe(true);
    expect(clock.now()).toBe(40);
    expect(await clock.runUntil(() => false, 60)).toBe(false);
    expect(clock.now()).toBe(100);
  });

  it('any set/clear sequence fires each armed timer once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(9), fc.option(fc.nat(1000), { nil: undefined })), { maxLength: 60 }),
        (ops) => {
          const clock = new VirtualClock();
          const fired: [number, number][] = [];
          const timers = Array.from({ length: 10 }, (_, i) => clock.createTimer(() => fired.push([i, clock.now()])));
          const expected = new Map<number, number>();
          for (const [i, at] of ops) {
            if (at === undefined) {
              timers[i].clear();
              expected.delete(i);
            } else {
              timers[i].set(at);
              expected.set(i, at);
            }
          }
          clock.runAll();
          expect(fired.length).toBe(expected.size);
          for (const [i, at] of fired) expect(at).toBe(expected.get(i));
          for (let k = 1; k < fired.length; k++) expect(fired[k][1]).toBeGreaterThanOrEqual(fired[k - 1][1]);
        },
      ),
    );
  });
});

describe('SystemClock', () => {
  it('is monotonic and fires timers in real time', async () => {
    const clock = new SystemClock();
    const t0 = clock.now();
    const fired = await new Promise<number>((resolve) => {
      const t = clock.createTimer(() => resolve(clock.now()));
      t.set(t0 + 5);
    });
    expect(fired).toBeGreaterThanOrEqual(t0 + 5);
    expect(Math.abs(clock.epochMs() - Date.now())).toBeLessThan(1000);
  });

  it('clear() cancels a pending timer', async () => {
    const clock = new SystemClock();
    let fired = false;
    const t = clock.createTimer(() => {
      fired = true;
    });
    t.set(clock.now() + 1);
    t.clear();
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
    expect(t.deadlineMs).toBeUndefined();
  });

  it('a deadline moved later fires once, not before the new deadline; one moved earlier fires at the earlier one', async () => {
    const clock = new SystemClock();
    expect(clock.realTime).toBe(true);
    const later = await new Promise<{ at: number; deadline: number; calls: number }>((resolve) => {
      let calls = 0;
      const t = clock.createTimer(() => {
        calls++;
        setTimeout(() => resolve({ at: clock.now(), deadline, calls }), 15);
      });
      const t0 = clock.now();
      t.set(t0 + 2);
      const deadline = t0 + 12; // kept pending timeout fires at +2 and waits out the rest
      t.set(deadline);
      expect(t.deadlineMs).toBe(deadline);
    });
    expect(later.calls).toBe(1);
    expect(later.at).toBeGreaterThanOrEqual(later.deadline);

    const earlier = await new Promise<{ at: number; deadline: number }>((resolve) => {
      const t = clock.createTimer(() => resolve({ at: clock.now(), deadline }));
      const t0 = clock.now();
      t.set(t0 + 10_000);
      const deadline = t0 + 3;
      t.set(deadline);
    });
    expect(earlier.at).toBeGreaterThanOrEqual(earlier.deadline);
    expect(earlier.at - earlier.deadline).toBeLessThan(5_000); // the first (far) deadline was replaced
  });
});
