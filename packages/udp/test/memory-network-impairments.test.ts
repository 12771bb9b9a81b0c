import { type SocketAddress, VirtualClock } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { type LinkConditions, MemoryNetwork, type MemorySocket, type NetworkTraceEvent } from '../src/index.js';
import { binomialSigma, bitDistance, collect, type Received, sequencedPayload, simulation } from './support/helpers.js';

const A = '10.0.0.1';
const B = '10.0.0.2';
const C = '10.0.0.3';

async function linkAB(conditions: LinkConditions, seed = 7) {
  const sim = simulation({ seed });
  sim.network.setLink(A, B, conditions);
  const a = sim.network.createSocket(A);
  const b = sim.network.createSocket(B);
  await a.bind();
  const to = await b.bind({ port: 443 });
  const got = collect(b);
  return { ...sim, a, b, to, got };
}

/** Sends `n` sequenced datagrams, `spacingMs` apart, then lets everything arrive. Returns the send times. */
function sendSeries(clock: VirtualClock, a: MemorySocket, to: SocketAddress, n: number, size = 64, spacingMs = 1) {
  const sentAt: number[] = [];
  for (let i = 0; i < n; i++) {
    sentAt.push(clock.now());
    a.send(sequencedPayload(i, size), to);
    clock.advance(spacingMs);
  }
  clock.runAll();
  return sentAt;
}

function seqOf(r: Received): number {
  return new DataView(r.data.buffer, r.data.byteOffset).getUint32(0);
}

function within4Sigma(measured: number, p: number, n: number): boolean {
  return Math.abs(measured - p) <= 4 * binomialSigma(p, n);
}

describe('MemoryNetwork impairments', () => {
  it('jitter delays within [delay, delay + jitter) and never reorders by default', async () => {
    const { clock, a, to, got } = await linkAB({ delayMs: 10, jitterMs: 30 });
    const sentAt = sendSeries(clock, a, to, 2000);
    expect(got).toHaveLength(2000);
    expect(got.map(seqOf)).toEqual(sentAt.map((_, i) => i));
    let extra = 0;
    let early = 0;
    let backwards = 0;
    for (let i = 0; i < got.length; i++) {
      const delay = got[i].receivedAt - sentAt[i];
      if (delay < 10) early++;
      extra += delay - 10;
      if (i > 0 && got[i].receivedAt < got[i - 1].receivedAt) backwards++;
    }
    expect({ early, backwards }).toEqual({ early: 0, backwards: 0 });
    expect(extra / got.length).toBeGreaterThan(5); // jitter really applies
  });

  it('jitter reorders when allowed, each delay uniform in [delay, delay + jitter)', async () => {
    const { clock, a, to, got } = await linkAB({ delayMs: 10, jitterMs: 30, jitterReorders: true });
    const sentAt = sendSeries(clock, a, to, 2000);
    expect(got).toHaveLength(2000);
    let inversions = 0;
    const delays: number[] = [];
    for (let i = 0; i < got.length; i++) {
      const seq = seqOf(got[i]);
      delays.push(got[i].receivedAt - sentAt[seq]);
      if (i > 0 && seq < seqOf(got[i - 1])) inversions++;
    }
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delays)).toBeLessThan(40);
    expect(inversions).toBeGreaterThan(100);
    const mean = delays.reduce((s, d) => s + d, 0) / delays.length;
    // Uniform on [10, 40): mean 25, σ of the mean = 30/√12/√2000 ≈ 0.19.
    expect(Math.abs(mean - 25)).toBeLessThan(4 * 0.194);
  });

  it('reordering holds a datagram back by reorderDelayMs so later ones overtake it', async () => {
    const n = 5000;
    const { clock, a, to, got, trace, network } = await linkAB({ delayMs: 5, reorderRate: 0.1, reorderDelayMs: 3 });
    const sentAt = sendSeries(clock, a, to, n);
    const held = new Set(trace.filter((e) => e.fate === 'scheduled' && e.reordered).map((e) => e.id));
    expect(network.linkStats(A, B).reordered).toBe(held.size);
    expect(within4Sigma(held.size / n, 0.1, n)).toBe(true);
    const order = got.map(seqOf);
    const wrongTime = got.filter((g, i) => g.receivedAt !== sentAt[order[i]] + 5 + (held.has(order[i]) ? 3 : 0));
    expect(wrongTime).toEqual([]);
    // Every held datagram is overtaken by the next one sent 1 ms later (unless that one is held too).
    const position = new Map(order.map((seq, i) => [seq, i]));
    const notOvertaken = [...held].filter(
      (seq) => seq + 1 < n && !held.has(seq + 1) && position.get(seq + 1)! > position.get(seq)!,
    );
    expect(notOvertaken).toEqual([]);
    // The others keep their order.
    const normal = order.filter((s) => !held.has(s));
    expect(normal).toEqual([...normal].sort((x, y) => x - y));
  });

  it('duplicates at the configured rate; the copy is identical and arrives right after the original', async () => {
    const n = 10_000;
    const { clock, a, to, got, network, allocator } = await linkAB({ duplicateRate: 0.05, delayMs: 1 });
    sendSeries(clock, a, to, n, 32, 0.1);
    const stats = network.linkStats(A, B);
    expect(within4Sigma(stats.duplicated / n, 0.05, n)).toBe(true);
    expect(got).toHaveLength(n + stats.duplicated);
    expect(stats.delivered).toBe(n + stats.duplicated);
    let dupes = 0;
    let differing = 0;
    for (let i = 1; i < got.length; i++) {
      if (seqOf(got[i]) === seqOf(got[i - 1])) {
        dupes++;
        if (bitDistance(got[i].data, got[i - 1].data) !== 0 || got[i].receivedAt !== got[i - 1].receivedAt) {
          differing++;
        }
      }
    }
    expect(dupes).toBe(stats.duplicated);
    expect(differing).toBe(0);
    expect(got.map(seqOf).filter((s, i, all) => i === 0 || s !== all[i - 1])).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    expect(allocator.stats().inUse).toBe(0);
  });

  it('corruption flips exactly one bit of the delivered copy, at the configured rate', async () => {
    const n = 5000;
    const { clock, a, to, got, network, trace } = await linkAB({ corruptRate: 0.1 });
    sendSeries(clock, a, to, n, 100);
    const delivered = trace.filter((e) => e.fate === 'delivered');
    expect(got).toHaveLength(n);
    let corrupted = 0;
    let mismatched = 0;
    for (let i = 0; i < n; i++) {
      const d = bitDistance(got[i].data, sequencedPayload(i, 100));
      if (d !== (delivered[i].corrupted ? 1 : 0)) mismatched++;
      corrupted += d;
    }
    expect(mismatched).toBe(0);
    expect(network.linkStats(A, B).corrupted).toBe(corrupted);
    expect(within4Sigma(corrupted / n, 0.1, n)).toBe(true);
  });

  it('corrupts a duplicate independently of its original and never touches the sender’s data', async () => {
    const { clock, a, to, got } = await linkAB({ duplicateRate: 1, corruptRate: 0.5 });
    const original = sequencedPayload(1, 64);
    const kept = Uint8Array.from(original);
    for (let i = 0; i < 200; i++) a.send(original, to);
    clock.runAll();
    expect(original).toEqual(kept);
    expect(got).toHaveLength(400);
    const pattern = got.map((g) => bitDistance(g.data, kept));
    expect(Math.max(...pattern)).toBe(1);
    // Some pairs have exactly one corrupted copy: the copies do not share memory.
    let mixed = 0;
    for (let i = 0; i < 400; i += 2) if (pattern[i] !== pattern[i + 1]) mixed++;
    expect(mixed).toBeGreaterThan(50);
  });

  it('drops everything sent inside a blackhole window, configured or started at run time', async () => {
    const { clock, a, to, got, network } = await linkAB({ blackholes: [{ startMs: 100, endMs: 200 }] });
    let sent = 0;
    const expected: number[] = [];
    for (let t = 0; t < 400; t++) {
      if (t === 300) network.blackhole(A, B, 50);
      a.send(sequencedPayload(sent, 16), to);
      const dark = (t >= 100 && t < 200) || (t >= 300 && t < 350);
      if (!dark) expected.push(sent);
      sent++;
      clock.advance(1);
    }
    clock.runAll();
    expect(got.map(seqOf)).toEqual(expected);
    expect(network.linkStats(A, B).drops.blackhole).toBe(150);
    expect(network.linkStats(B, A).drops.blackhole).toBe(0); // one-way
  });

  it('burst loss has the Gilbert–Elliott mean burst length 1/r', async () => {
    const n = 50_000;
    const clock = new VirtualClock();
    const fates: boolean[] = []; // true = lost to burst loss, in send order
    const network = new MemoryNetwork({
      clock,
      seed: 11,
      onTrace: (e) => {
        if (e.fate === 'burst' || e.fate === 'scheduled') fates.push(e.fate === 'burst');
      },
    });
    network.setLink(A, B, { burstLoss: { p: 0.02, r: 0.25 } });
    const a = network.createSocket(A);
    await a.bind();
    const to = await network.createSocket(B).bind();
    const payload = new Uint8Array(1);
    for (let i = 0; i < n; i++) {
      a.send(payload, to);
      if (i % 1000 === 999) clock.advance(1);
    }
    clock.runAll();
    expect(fates).toHaveLength(n);
    let bursts = 0;
    let inBurst = 0;
    for (let i = 0; i < n; i++) {
      if (fates[i] && (i === 0 || !fates[i - 1])) bursts++;
      if (fates[i]) inBurst++;
    }
    // Burst lengths are geometric with mean 1/r = 4 (σ ≈ 3.5); ~900 bursts give a standard error near 0.12.
    expect(inBurst / bursts).toBeGreaterThan(3.6);
    expect(inBurst / bursts).toBeLessThan(4.4);
    expect(network.linkStats(A, B).drops.burst).toBe(inBurst);
  });

  it('applies condition changes to datagrams sent afterwards, still in FIFO order', async () => {
    const { clock, a, to, got, network } = await linkAB({ delayMs: 50 });
    a.send(sequencedPayload(0, 16), to); // arrives at 50
    clock.advance(1);
    network.setLink(A, B, { delayMs: 5 });
    a.send(sequencedPayload(1, 16), to); // would arrive at 6, but may not overtake
    clock.advance(1);
    network.setLink(A, B, { delayMs: 5, jitterReorders: true });
    a.send(sequencedPayload(2, 16), to); // allowed to overtake: arrives at 7
    clock.runAll();
    expect(got.map((g) => [seqOf(g), g.receivedAt])).toEqual([
      [2, 7],
      [0, 50],
      [1, 50],
    ]);
    expect(network.linkConditions(A, B).delayMs).toBe(5);
  });

  it('gives each link its own random stream: traffic elsewhere does not change a link’s fates', async () => {
    const fatesOnAB = async (withCrossTraffic: boolean) => {
      const sim = simulation({ seed: 99, defaultLink: { lossRate: 0.3, jitterMs: 5, duplicateRate: 0.1 } });
      const a = sim.network.createSocket(A);
      const b = sim.network.createSocket(B);
      const c = sim.network.createSocket(C);
      await a.bind();
      const bAddr = await b.bind();
      const cAddr = await c.bind();
      for (let i = 0; i < 500; i++) {
        a.send(new Uint8Array(10), bAddr);
        if (withCrossTraffic) {
          a.send(new Uint8Array(10), cAddr);
          c.send(new Uint8Array(10), bAddr);
        }
        sim.clock.advance(1);
      }
      sim.clock.runAll();
      return sim.trace
        .filter((e: NetworkTraceEvent) => e.from.startsWith(A) && e.to.startsWith(B) && e.fate !== 'delivered')
        .map((e) => [e.time, e.fate, e.deliverAt, e.duplicate]);
    };
    const quiet = await fatesOnAB(false);
    expect(quiet.length).toBeGreaterThan(500);
    expect(await fatesOnAB(true)).toEqual(quiet);
  });

  it('derives each link’s stream from (seed, from, to): equal links with equal traffic still differ', async () => {
    const sim = simulation({ seed: 5, defaultLink: { lossRate: 0.5 } });
    const a = sim.network.createSocket(A);
    await a.bind();
    const bAddr = await sim.network.createSocket(B).bind();
    const cAddr = await sim.network.createSocket(C).bind();
    for (let i = 0; i < 200; i++) {
      a.send(new Uint8Array(1), bAddr);
      a.send(new Uint8Array(1), cAddr);
    }
    const fates = (to: string) => sim.trace.filter((e) => e.to.startsWith(to)).map((e) => e.fate);
    expect(fates(B)).toHaveLength(200);
    expect(fates(B)).not.toEqual(fates(C));
  });

  it('summarises queueing delay, matching the per-datagram trace', async () => {
    // 1 Mbit/s, 125-byte datagrams = 1 ms each; 2 sent per ms → the queue builds up to its 10 kB limit.
    const { clock, a, to, trace, network } = await linkAB({ rateBps: 1_000_000, queueBytes: 10_000 });
    for (let i = 0; i < 400; i++) {
      a.send(new Uint8Array(125), to);
      clock.advance(0.5);
    }
    clock.runAll();
    const delays = trace
      .filter((e) => e.fate === 'scheduled')
      .map((e) => e.queueDelayMs)
      .sort((x, y) => x - y);
    const s = network.linkStats(A, B).queueingDelay;
    expect(s.count).toBe(delays.length);
    expect(s.maxMs).toBe(delays[delays.length - 1]);
    expect(s.minMs).toBe(0);
    const exactP50 = delays[Math.ceil(0.5 * delays.length) - 1];
    expect(s.p50Ms).toBeGreaterThanOrEqual(exactP50);
    expect(s.p50Ms).toBeLessThanOrEqual(exactP50 * (1 + 1 / 128));
    // A full 10 kB queue in front of a 1 Mbit/s link waits (10 000 − 125)·8 / 1e6 s at most.
    expect(s.maxMs).toBeLessThanOrEqual(79);
    expect(s.maxMs).toBeGreaterThan(70);
  });
});
