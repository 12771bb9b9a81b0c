import { PoolAllocator, type SocketAddress, VirtualClock } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type GilbertElliottLoss,
  gilbertElliottLossRate,
  type LinkConditions,
  MemoryNetwork,
  type NetworkTraceEvent,
  type Seed,
} from '../src/index.js';
import { binomialSigma, checkSequenced, collect, fnv1a, sequencedPayload, simulation } from './support/helpers.js';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';

/** A chatty exchange over a link with every impairment; returns the trace and what the client got back. */
async function impairedScenario(seed: Seed) {
  const clock = new VirtualClock();
  const trace: NetworkTraceEvent[] = [];
  const network = new MemoryNetwork({ clock, seed, onTrace: (e) => trace.push(e) });
  network.setLinks(CLIENT, SERVER, {
    delayMs: 15,
    jitterMs: 4,
    lossRate: 0.02,
    burstLoss: { p: 0.01, r: 0.3 },
    reorderRate: 0.03,
    reorderDelayMs: 6,
    duplicateRate: 0.02,
    corruptRate: 0.01,
    rateBps: 2_000_000,
    queueBytes: 15_000,
  });
  const client = network.createSocket(CLIENT);
  const server = network.createSocket(SERVER);
  await client.bind();
  const serverAddr = await server.bind({ port: 443 });
  server.datagrams$.subscribe((d) => server.send(d.data, d.remote)); // echo
  const echoes: number[] = [];
  client.datagrams$.subscribe((d) => echoes.push(fnv1a(d.data)));
  for (let i = 0; i < 1000; i++) {
    client.send(sequencedPayload(i, 40 + ((i * 37) % 1160)), serverAddr);
    clock.advance(1 + (i % 3));
  }
  clock.runAll();
  await network.close();
  return { trace, echoes };
}

function firstDifference(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return a.length === b.length ? -1 : n;
}

describe('acceptance: determinism', () => {
  it('replays the same delivery trace from the same seed, and a different one from another seed', async () => {
    const first = await impairedScenario(42);
    const second = await impairedScenario(42);
    const other = await impairedScenario(43);
    // The scenario really exercises every impairment.
    const fates = new Set(first.trace.map((e) => e.fate));
    for (const f of ['scheduled', 'delivered', 'loss', 'burst', 'queue'] as const) expect(fates).toContain(f);
    expect(first.trace.some((e) => e.duplicate)).toBe(true);
    expect(first.trace.some((e) => e.reordered)).toBe(true);
    expect(first.trace.some((e) => e.corrupted)).toBe(true);
    expect(first.trace.some((e) => e.queueDelayMs > 0)).toBe(true);

    // Compared record by record (serialised): the index of the first difference, -1 when identical.
    expect(firstDifference(second.trace, first.trace)).toBe(-1);
    expect(firstDifference(second.echoes, first.echoes)).toBe(-1);
    expect(firstDifference(other.trace, first.trace)).toBeGreaterThanOrEqual(0);
  });
});

/** Sends n datagrams over one link with the given conditions; returns the loss measured at the receiver. */
async function measureLoss(conditions: LinkConditions, n: number, seed: Seed) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, seed, allocator: new PoolAllocator({ bufferSize: 64 }) });
  network.setLink(CLIENT, SERVER, conditions);
  const a = network.createSocket(CLIENT);
  const b = network.createSocket(SERVER);
  await a.bind();
  const to = await b.bind();
  const payload = new Uint8Array(16);
  for (let i = 0; i < n; i++) {
    a.send(payload, to);
    if (i % 1024 === 1023) clock.advance(1);
  }
  clock.runAll();
  const received = b.stats().datagramsReceived;
  const stats = network.linkStats(CLIENT, SERVER);
  await network.close();
  return { measured: 1 - received / n, dropped: stats.dropped, received };
}

describe('acceptance: loss rates over 100 000 datagrams', () => {
  const n = 100_000;

  it.each([0.01, 0.05, 0.2])('iid loss %f: within 1 percentage point and within 4σ (binomial)', async (p) => {
    const { measured, dropped, received } = await measureLoss({ lossRate: p }, n, 2026);
    expect(dropped + received).toBe(n);
    expect(Math.abs(measured - p)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(measured - p)).toBeLessThanOrEqual(4 * binomialSigma(p, n));
  });

  /**
   * With the bad state always losing and the good state never, a Gilbert–Elliott chain's losses are correlated:
   * lag-1 coefficient λ = 1 − p − r, so the variance of the measured rate is the binomial one times (1 + λ)/(1 − λ).
   * For p = 0.05, r = 0.45 that factor is 3 and the binomial 4σ bound (then ≈ 2.3 true σ) and the 1-point bound
   * both hold with margin. For the strongly bursty p = 0.01, r = 0.1 the factor is 17: the binomial 4σ is under one
   * true σ and 1 point is 2.6 true σ, so neither is a valid bound at 100 000 datagrams (over seeds 1–20, 6 runs
   * exceed the binomial 4σ and one exceeds 1 point); that case is held to the corrected 4σ bound.
   */
  it('burst loss p=0.05, r=0.45: within 1 point of p/(p+r) = 10 %, and within 4σ (binomial and corrected)', async () => {
    const ge: GilbertElliottLoss = { p: 0.05, r: 0.45 };
    const stationary = gilbertElliottLossRate(ge);
    expect(stationary).toBeCloseTo(ge.p / (ge.p + ge.r), 12);
    const { measured } = await measureLoss({ burstLoss: ge }, n, 2026);
    const sigma = binomialSigma(stationary, n);
    expect(Math.abs(measured - stationary)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(measured - stationary)).toBeLessThanOrEqual(4 * sigma);
    expect(Math.abs(measured - stationary)).toBeLessThanOrEqual(4 * sigma * Math.sqrt(3));
  });

  it('burst loss p=0.01, r=0.1: within 4σ of p/(p+r) with σ corrected for the correlation', async () => {
    const ge: GilbertElliottLoss = { p: 0.01, r: 0.1 };
    const stationary = gilbertElliottLossRate(ge);
    expect(stationary).toBeCloseTo(ge.p / (ge.p + ge.r), 12);
    const { measured } = await measureLoss({ burstLoss: ge }, n, 2026);
    const lambda = 1 - ge.p - ge.r;
    const corrected = binomialSigma(stationary, n) * Math.sqrt((1 + lambda) / (1 - lambda));
    expect(Math.abs(measured - stationary)).toBeLessThanOrEqual(4 * corrected);
  });
});

describe('acceptance: MTU', () => {
  it('never delivers a datagram above the MTU and always delivers one at or below it on a clean link', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2100 }),
        fc.array(fc.integer({ min: 0, max: 2200 }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        async (mtu, sizes, seed) => {
          const sim = simulation({ seed, bufferSize: 2048 });
          sim.network.setLink(CLIENT, SERVER, { mtu, delayMs: 3 });
          const a = sim.network.createSocket(CLIENT);
          const b = sim.network.createSocket(SERVER);
          await a.bind();
          const to = await b.bind();
          const got = collect(b);
          for (const size of sizes) a.send(new Uint8Array(size).fill(size & 0xff), to);
          sim.clock.runAll();
          expect(got.map((g) => g.data.length)).toEqual(sizes.filter((s) => s <= mtu));
          expect(sim.network.linkStats(CLIENT, SERVER).drops.mtu).toBe(sizes.filter((s) => s > mtu).length);
          expect(sim.allocator.stats().inUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('acceptance: bottleneck rate and queue', () => {
  const rateBps = 1_000_000;
  const queueBytes = 20_000;
  const delayMs = 10;

  async function drive(loadFactor: number, count: number) {
    const sim = simulation({ seed: 5 });
    sim.network.setLink(CLIENT, SERVER, { rateBps, queueBytes, delayMs });
    const a = sim.network.createSocket(CLIENT);
    const b = sim.network.createSocket(SERVER);
    await a.bind();
    const to = await b.bind();
    const got = collect(b);
    const size = 1200;
    const serializationMs = (size * 8 * 1000) / rateBps; // 9.6 ms
    for (let i = 0; i < count; i++) {
      a.send(new Uint8Array(size - (i % 7) * 100), to); // 600..1200 bytes
      sim.clock.advance(serializationMs / loadFactor);
    }
    sim.clock.runAll();
    return { ...sim, got };
  }

  it('never exceeds the configured rate, never overfills the queue, and tail-drops under 2× overload', async () => {
    const { got, network, trace } = await drive(2 * (1200 / 900), 3000); // mean size 900 B → 2× the rate
    const stats = network.linkStats(CLIENT, SERVER);

    // Each arrival is at least its own serialization time after the previous one: the departures (arrival −
    // delay) of a FIFO link at rate R. So any run of deliveries carries at most R × its duration (+1 datagram).
    let tooFast = 0;
    for (let i = 1; i < got.length; i++) {
      const gap = got[i].receivedAt - got[i - 1].receivedAt;
      if (gap < (got[i].data.length * 8 * 1000) / rateBps - 1e-9) tooFast++;
    }
    expect(tooFast).toBe(0);
    const bits = got.slice(1).reduce((s, g) => s + g.data.length * 8, 0);
    const seconds = (got[got.length - 1].receivedAt - got[0].receivedAt) / 1000;
    expect(bits / seconds).toBeLessThanOrEqual(rateBps * (1 + 1e-9));
    expect(bits / seconds).toBeGreaterThan(rateBps * 0.98); // and the bottleneck stays busy

    // Queue occupancy, rebuilt from the trace at every send: datagrams scheduled but not yet departed.
    const scheduled = trace.filter((e) => e.fate === 'scheduled');
    let maxBacklog = 0;
    let head = 0;
    let backlog = 0;
    for (const e of scheduled) {
      while (head < scheduled.length && scheduled[head].deliverAt! - delayMs <= e.time) {
        if (scheduled[head].time < e.time) backlog -= scheduled[head].size;
        head++;
      }
      backlog += e.size;
      maxBacklog = Math.max(maxBacklog, backlog);
    }
    expect(maxBacklog).toBeLessThanOrEqual(queueBytes);
    expect(stats.queueMaxBytes).toBeLessThanOrEqual(queueBytes);
    expect(stats.queueMaxBytes).toBeGreaterThan(queueBytes - 1200);

    // 2× overload: about half the datagrams are tail-dropped.
    expect(stats.drops.queue).toBeGreaterThan(0.4 * stats.sent);
    expect(stats.drops.queue).toBeLessThan(0.6 * stats.sent);
    expect(stats.delivered + stats.drops.queue).toBe(stats.sent);
  });

  it('drops nothing below the rate, and queueing delay stays near zero', async () => {
    const { network } = await drive(0.5, 1000);
    const stats = network.linkStats(CLIENT, SERVER);
    expect(stats.drops.queue).toBe(0);
    expect(stats.delivered).toBe(1000);
    expect(stats.queueingDelay.maxMs).toBe(0);
  });
});

describe('acceptance: properties', () => {
  it('without loss or jitter, every datagram arrives exactly once, intact, in order, at send time + delay', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 8, max: 1500 }), fc.double({ min: 0, max: 5, noNaN: true })), {
          minLength: 1,
          maxLength: 60,
        }),
        async (seed, delayMs, sends) => {
          const sim = simulation({ seed, defaultLink: { delayMs } });
          const a = sim.network.createSocket(CLIENT);
          const b = sim.network.createSocket(SERVER);
          await a.bind();
          const to = await b.bind();
          const got = collect(b);
          const sentAt: number[] = [];
          sends.forEach(([size, gap], i) => {
            sentAt.push(sim.clock.now());
            a.send(sequencedPayload(i, size), to);
            sim.clock.advance(gap);
          });
          sim.clock.runAll();
          expect(got.map((g) => checkSequenced(g.data))).toEqual(sends.map((_, i) => i));
          expect(got.map((g) => g.receivedAt)).toEqual(sentAt.map((t) => t + delayMs));
          expect(sim.allocator.stats().inUse).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('never delivers before send time + delay, whatever the other conditions', async () => {
    const conditions = fc.record({
      delayMs: fc.double({ min: 0, max: 100, noNaN: true }),
      jitterMs: fc.double({ min: 0, max: 50, noNaN: true }),
      jitterReorders: fc.boolean(),
      lossRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      reorderRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      reorderDelayMs: fc.double({ min: 0, max: 30, noNaN: true }),
      duplicateRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      corruptRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      rateBps: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 10_000, max: 100_000_000 })),
      queueBytes: fc.integer({ min: 0, max: 50_000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer(), conditions, fc.integer({ min: 1, max: 80 }), async (seed, c, count) => {
        const sim = simulation({ seed });
        sim.network.setLink(CLIENT, SERVER, c);
        const a = sim.network.createSocket(CLIENT);
        const b = sim.network.createSocket(SERVER);
        await a.bind();
        const to: SocketAddress = await b.bind();
        collect(b);
        for (let i = 0; i < count; i++) {
          a.send(new Uint8Array(20 + ((i * 53) % 1200)), to);
          sim.clock.advance((i % 4) * 0.7);
        }
        sim.clock.runAll();
        const sentAt = new Map<number, number>();
        const early: NetworkTraceEvent[] = [];
        for (const e of sim.trace) {
          if (e.fate !== 'delivered' && !e.duplicate && !sentAt.has(e.id)) sentAt.set(e.id, e.time);
          if (e.fate === 'delivered' && e.time < sentAt.get(e.id)! + c.delayMs) early.push(e);
          if (e.fate === 'delivered' && e.time !== e.deliverAt) early.push(e);
        }
        expect(early).toEqual([]);
        expect(sim.allocator.stats().inUse).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
