import { TransportError, TransportErrorCode } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { ReceiveFlowController } from './receive-flow-controller.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

describe('ReceiveFlowController', () => {
  it('accepts data up to the advertised limit and rejects a byte more with FLOW_CONTROL_ERROR (RFC 9000 §4.1)', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000 });
    fc.checkReceived(1000, 0x08);
    expect(fc.received).toBe(1000);
    expect(codeOf(() => fc.checkReceived(1001, 0x08))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
  });

  it('carries the frame type in the error', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 10 });
    try {
      fc.checkReceived(11, 0x11);
      expect.unreachable();
    } catch (e) {
      expect((e as TransportError).frameType).toBe(0x11);
    }
  });

  it('grants no credit for data that arrived but was not consumed', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000 });
    fc.checkReceived(1000, 0x08);
    expect(fc.maybeUpdate(0, 10)).toBe(false);
    expect(fc.markAdvertised()).toBe(1000);
  });

  it('offers consumed + window once the credit left falls below half the window', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000 });
    fc.checkReceived(1000, 0x08);
    fc.consume(500);
    // Credit left = 500, not below 500.
    expect(fc.maybeUpdate(0, 0)).toBe(false);
    fc.consume(1);
    expect(fc.maybeUpdate(0, 0)).toBe(true);
    expect(fc.limit).toBe(1501);
    // Not advertised until the frame builder takes it: data beyond 1000 is still a violation.
    expect(codeOf(() => fc.checkReceived(1001, 0x08))).toBe(TransportErrorCode.FLOW_CONTROL_ERROR);
    expect(fc.markAdvertised()).toBe(1501);
    fc.checkReceived(1501, 0x08);
  });

  it('honours a custom update fraction', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000, updateFraction: 0.25 });
    fc.checkReceived(1000, 0x08);
    fc.consume(700);
    expect(fc.maybeUpdate(0, 0)).toBe(false);
    fc.consume(100);
    expect(fc.maybeUpdate(0, 0)).toBe(true);
  });

  it('doubles the window when it is consumed within about two RTTs, up to the maximum (auto-tuning)', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000, maxWindowBytes: 3000 });
    const srtt = 100;
    let now = 0;
    fc.maybeUpdate(now, srtt); // epoch starts
    const windows: number[] = [];
    for (let i = 0; i < 6; i++) {
      // The reader consumes a whole window every 10 ms: far faster than 2 RTTs.
      now += 10;
      fc.checkReceived(fc.advertised, 0x08);
      fc.consume(fc.advertised - fc.consumed);
      expect(fc.maybeUpdate(now, srtt)).toBe(true);
      fc.markAdvertised();
      windows.push(fc.windowBytes);
    }
    expect(windows).toEqual([2000, 3000, 3000, 3000, 3000, 3000]);
    expect(fc.advertised).toBe(fc.consumed + 3000);
  });

  it('keeps the window when consumption is slow relative to the RTT', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000, maxWindowBytes: 8000 });
    const srtt = 10;
    let now = 0;
    fc.maybeUpdate(now, srtt);
    for (let i = 0; i < 5; i++) {
      now += 1000; // 100 RTTs per window
      fc.checkReceived(fc.advertised, 0x08);
      fc.consume(fc.advertised - fc.consumed);
      expect(fc.maybeUpdate(now, srtt)).toBe(true);
      fc.markAdvertised();
    }
    expect(fc.windowBytes).toBe(1000);
  });

  it('does not auto-tune without an RTT sample', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000, maxWindowBytes: 8000 });
    fc.maybeUpdate(0, 0);
    fc.checkReceived(1000, 0x08);
    fc.consume(1000);
    expect(fc.maybeUpdate(1, 0)).toBe(true);
    expect(fc.windowBytes).toBe(1000);
  });

  it('ensureWindow raises the window up to the maximum only', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000, maxWindowBytes: 5000 });
    fc.ensureWindow(500);
    expect(fc.windowBytes).toBe(1000);
    fc.ensureWindow(4000);
    expect(fc.windowBytes).toBe(4000);
    fc.ensureWindow(9000);
    expect(fc.windowBytes).toBe(5000);
  });

  it('never lowers the advertised limit', () => {
    const fc = new ReceiveFlowController({ initialWindowBytes: 1000 });
    fc.limit = 10;
    expect(fc.markAdvertised()).toBe(1000);
  });
});
