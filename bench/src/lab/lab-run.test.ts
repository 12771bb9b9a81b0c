import type { CongestionController, RttView, SentPacketInfo } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { FixedWindowFactory } from '../../../examples/src/congestion-swap/fixed-window.js';
import { labContainer, registeredFactories, selectFactories } from './controllers.js';
import { runScenario } from './lab-run.js';
import { summarize } from './report.js';
import { makeScenario } from './scenario.js';
import { TracedController } from './traced-controller.js';

describe('lab measurements against physics', () => {
  it('a fixed window W below the BDP moves W per round trip: utilisation W/BDP, no queue, no loss', async () => {
    // 10 Mbit/s × 40 ms: BDP = 50 kB ≈ 41.7 datagrams; a 20-datagram window fills 48 % of it.
    const s = makeScenario({ rateMbps: 10, rttMs: 40, bufferBdp: 1, durationMs: 3_000 });
    const r = await runScenario(s, new FixedWindowFactory({ windowPackets: 20 }));
    const expected = (20 * 1200) / r.bdpBytes;
    expect(r.utilisation).toBeGreaterThan(expected * 0.9);
    expect(r.utilisation).toBeLessThan(expected * 1.1);
    expect(r.queueDrops).toBe(0);
    expect(r.retransmissionRate).toBe(0);
    expect(r.queueDelayP95Ms).toBeLessThan(2);
    // Goodput is the stream's share of those bytes (headers and ACK frames excluded).
    expect(r.goodputMbps).toBeLessThan(r.utilisation * s.rateMbps);
    expect(r.goodputMbps).toBeGreaterThan(0.9 * r.utilisation * s.rateMbps);
  });

  it('is deterministic: the same scenario and seed give the same numbers', async () => {
    const s = makeScenario({
      rateMbps: 10,
      rttMs: 20,
      bufferBdp: 1,
      lossRate: 0.01,
      flows: 2,
      flowStaggerMs: 300,
      durationMs: 1_500,
    });
    const factory = selectFactories(labContainer(), ['cubic'])[0];
    const a = summarize(await runScenario(s, factory));
    const b = summarize(await runScenario(s, factory));
    expect({ ...a, wallMs: 0 }).toEqual({ ...b, wallMs: 0 });
    expect(a.randomLosses).toBeGreaterThan(0);
    expect(a.flowGoodputMbps.length).toBe(2);
  });
});

describe('the lab-only null packet protection', () => {
  it('changes nothing but the CPU cost: the same run with real AES-GCM gives the same numbers', async () => {
    const s = makeScenario({ rateMbps: 10, rttMs: 20, bufferBdp: 0.5, lossRate: 0.005, durationMs: 1_000 });
    const factory = selectFactories(labContainer(), ['cubic'])[0];
    const nulled = summarize(await runScenario(s, factory, { protection: 'null' }));
    const aead = summarize(await runScenario(s, factory, { protection: 'aead' }));
    expect({ ...nulled, wallMs: 0 }).toEqual({ ...aead, wallMs: 0 });
    expect(nulled.goodputMbps).toBeGreaterThan(1);
  });
});

describe('lab controllers', () => {
  it('are every factory registered under the token: NewReno, CUBIC and the fixed-window example', () => {
    expect(registeredFactories(labContainer()).map((f) => f.name)).toEqual(['newreno', 'cubic', 'fixed-window']);
    expect(selectFactories(labContainer(), ['cubic']).map((f) => f.name)).toEqual(['cubic']);
    expect(() => selectFactories(labContainer(), ['bbr'])).toThrow(RangeError);
  });
});

describe('TracedController', () => {
  it('forwards every hook unchanged and records the milestones', () => {
    const calls: string[] = [];
    let ssthresh = Number.POSITIVE_INFINITY;
    let window = 10_000;
    const inner: CongestionController & { hystartPhase: string } = {
      name: 'fake',
      hystartPhase: 'slow_start',
      get windowBytes() {
        return window;
      },
      get slowStartThresholdBytes() {
        return ssthresh;
      },
      state: 'slow_start',
      onPacketSent: (now) => calls.push(`sent ${now}`),
      onPacketAcked: (now) => calls.push(`acked ${now}`),
      onAckProcessed: (now, _rtt, _b, sampled) => calls.push(`ack ${now} ${sampled}`),
      onCongestionEvent: (now, sent, lost, inFlight) => {
        calls.push(`ce ${now} ${sent} ${lost} ${inFlight}`);
        window = 7_000;
        ssthresh = 7_000;
      },
      onPersistentCongestion: (now) => calls.push(`pc ${now}`),
      onSpuriousCongestion: (now) => calls.push(`sp ${now}`),
      onApplicationLimited: (now, b) => calls.push(`al ${now} ${b}`),
      onMaxDatagramSizeChanged: (n) => calls.push(`mds ${n}`),
      pacingRateBytesPerSecond: () => 42,
    };
    const t = new TracedController(inner);
    const p: SentPacketInfo = { packetNumber: 1, sentBytes: 1200, timeSentMs: 0 };
    const rtt: RttView = { latestRttMs: 30, smoothedRttMs: 30, rttVarMs: 1, minRttMs: 30, hasSample: true };
    t.onPacketSent(1, p, 1200);
    t.onPacketAcked(2, p, rtt, 0);
    inner.hystartPhase = 'conservative_slow_start';
    t.onAckProcessed(3, rtt, 0, false);
    t.onCongestionEvent(4, 1, 1200, 0);
    t.onPersistentCongestion(5);
    t.onSpuriousCongestion(6);
    t.onApplicationLimited(7, 0);
    t.onMaxDatagramSizeChanged(1500);
    expect(t.pacingRateBytesPerSecond(rtt)).toBe(42);
    expect(calls).toEqual(['sent 1', 'acked 2', 'ack 3 false', 'ce 4 1 1200 0', 'pc 5', 'sp 6', 'al 7 0', 'mds 1500']);
    expect(t.name).toBe('fake');
    expect(t.latestRttMs).toBe(30);
    expect(t.milestones).toEqual({
      firstCongestionEventMs: 4,
      slowStartExitMs: 4,
      slowStartExitWindowBytes: 10_000,
      cssEnteredMs: 3,
      windowReductions: 1,
      persistentCongestions: 1,
      spuriousCongestions: 1,
    });
  });
});
