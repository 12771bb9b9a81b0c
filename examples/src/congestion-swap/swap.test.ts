import { CongestionControllerFactory, createContainer, VirtualClock } from '@fos/core';
import { MemoryNetwork } from '@fos/udp';
import { describe, expect, it } from 'vitest';
import { FixedWindowController, FixedWindowFactory, registerFixedWindow } from './fixed-window.js';
import { clientContainer, upload } from './swap.js';

const MB = 1_000_000;

describe('swapping the congestion controller of a QUIC client with one register call', () => {
  it('each client uses the controller its container registered; nothing registered means CUBIC', async () => {
    const newreno = await upload('newreno', MB);
    const cubic = await upload('cubic', MB);
    const fixed = await upload('fixed-window', MB);
    const fallback = await upload('default', MB);
    expect([newreno, cubic, fixed, fallback].map((r) => r.controller)).toEqual([
      'newreno',
      'cubic',
      'fixed-window',
      'cubic',
    ]);
    for (const r of [newreno, cubic, fixed, fallback]) expect(r.bytes).toBe(MB);
    // The fixed window never moves: the transport really runs the registered controller.
    expect(fixed.maxWindowBytes).toBe(100 * 1200);
    expect(fixed.finalWindowBytes).toBe(100 * 1200);
    expect(cubic.maxWindowBytes).toBeGreaterThan(100 * 1200);
    // NewReno and CUBIC react differently to the same losses on the same path (same seed) …
    expect(newreno.elapsedMs).not.toBe(cubic.elapsedMs);
    // … and the default client behaves exactly like the CUBIC one (the runs are deterministic).
    expect(fallback.elapsedMs).toBe(cubic.elapsedMs);
    expect(fallback.packetsLost).toBe(cubic.packetsLost);
  });

  it('the composition falls back to CUBIC only when nothing is registered', () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock });
    const none = clientContainer(clock, network, '', () => {});
    const fixed = clientContainer(clock, network, '', (c) => registerFixedWindow(c, { windowPackets: 8 }));
    expect(none.resolve<CongestionControllerFactory>(CongestionControllerFactory).name).toBe('cubic');
    const f = fixed.resolve<CongestionControllerFactory>(CongestionControllerFactory);
    expect(f).toBeInstanceOf(FixedWindowFactory);
    expect(f.create({ maxDatagramSizeBytes: 1200, nowMs: 0 }).windowBytes).toBe(8 * 1200);
  });
});

describe('the fixed-window controller (a user-written plugin)', () => {
  it('keeps its window through every hook, rescales with the datagram size, and paces at 1.25·W/srtt', () => {
    const cc = new FixedWindowController(1200, 10, true);
    const p = { packetNumber: 0, sentBytes: 1200, timeSentMs: 0 };
    const rtt = { latestRttMs: 100, smoothedRttMs: 100, rttVarMs: 50, minRttMs: 100, hasSample: true };
    cc.onPacketSent(0, p, 1200);
    cc.onPacketAcked(1, p, rtt, 0);
    cc.onAckProcessed(1, rtt, 0, true);
    cc.onCongestionEvent(2, 0, 1200, 0);
    cc.onPersistentCongestion(3);
    cc.onApplicationLimited(4, 0);
    expect(cc.windowBytes).toBe(12_000);
    expect(cc.slowStartThresholdBytes).toBe(12_000);
    expect(cc.pacingRateBytesPerSecond(rtt)).toBeCloseTo((1.25 * 12_000) / 0.1, 9);
    expect(cc.pacingRateBytesPerSecond({ ...rtt, hasSample: false })).toBeUndefined();
    cc.onMaxDatagramSizeChanged(1500);
    expect(cc.windowBytes).toBe(15_000);
    expect(new FixedWindowController(1200, 10, false).pacingRateBytesPerSecond(rtt)).toBeUndefined();
  });

  it('rejects a window below two datagrams', () => {
    expect(() => new FixedWindowFactory({ windowPackets: 1 })).toThrow(RangeError);
    expect(() => new FixedWindowFactory({ windowPackets: Number.NaN })).toThrow(RangeError);
    expect(registerFixedWindow(createContainer()).isRegistered(CongestionControllerFactory)).toBe(true);
  });
});
