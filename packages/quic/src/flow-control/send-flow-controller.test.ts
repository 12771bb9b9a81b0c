import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendFlowController } from './send-flow-controller.js';

describe('SendFlowController', () => {
  it('only increases its limit (RFC 9000 §4.1: MAX_* frames that do not increase the limit are ignored)', () => {
    const c = new SendFlowController(100);
    expect(c.updateLimit(50)).toBe(false);
    expect(c.updateLimit(100)).toBe(false);
    expect(c.limit).toBe(100);
    expect(c.updateLimit(150)).toBe(true);
    expect(c.limit).toBe(150);
  });

  it('the limit is the maximum of all values seen, in any order', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.array(fc.nat(10_000)), (initial, values) => {
        const c = new SendFlowController(initial);
        for (const v of values) c.updateLimit(v);
        expect(c.limit).toBe(Math.max(initial, ...values));
      }),
    );
  });

  it('tracks available credit', () => {
    const c = new SendFlowController(100);
    c.consume(60);
    expect(c.available).toBe(40);
    expect(c.blocked).toBe(false);
    c.consume(40);
    expect(c.available).toBe(0);
    expect(c.blocked).toBe(true);
  });

  it('reports blocked once per limit value (one DATA_BLOCKED per limit)', () => {
    const c = new SendFlowController(100);
    expect(c.shouldReportBlocked()).toBe(false); // not blocked yet
    c.consume(100);
    expect(c.shouldReportBlocked()).toBe(true);
    expect(c.shouldReportBlocked()).toBe(false);
    c.updateLimit(200);
    expect(c.shouldReportBlocked()).toBe(false);
    c.consume(100);
    expect(c.shouldReportBlocked()).toBe(true);
    expect(c.shouldReportBlocked()).toBe(false);
  });

  it('resends a lost blocked frame only while still blocked on that limit (RFC 9000 §13.3)', () => {
    const c = new SendFlowController(100);
    c.consume(100);
    expect(c.blockedFrameLost(100)).toBe(true);
    c.updateLimit(300);
    expect(c.blockedFrameLost(100)).toBe(false);
    c.consume(200);
    expect(c.blockedFrameLost(100)).toBe(false);
    expect(c.blockedFrameLost(300)).toBe(true);
  });
});
