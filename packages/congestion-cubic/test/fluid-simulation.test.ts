// Sanity checks of controller dynamics on a deterministic single-flow bottleneck (see support/bottleneck.ts).
// This is not the congestion lab (MemoryNetwork + the real transport); it checks that the controllers' rules add up
// to the behaviour the RFCs design them for.
import { NewRenoFactory } from '@fos/congestion-newreno';
import { describe, expect, it } from 'vitest';
import { CubicFactory } from '../src/index.js';
import {
  type BottleneckResult,
  type CongestionEventRecord,
  recoveryTimeMs,
  runBottleneck,
} from './support/bottleneck.js';

const MDS = 1200;
const C = 0.4;
const BETA = 0.7;

/** The first window reduction in congestion avoidance once the sawtooth has settled near the pipe's capacity. */
function steadyStateLoss(r: BottleneckResult): CongestionEventRecord {
  const capacityBytes = (r.bdpPackets + r.bufferPackets) * MDS;
  const event = r.events.find(
    (e) => e.reduced && e.stateBefore === 'congestion_avoidance' && e.windowBeforeBytes <= 1.05 * capacityBytes,
  );
  if (event === undefined) throw new Error('no steady-state loss in the run');
  return event;
}

describe('fluid bottleneck: 20 Mbit/s × 100 ms, drop-tail queue of 0.5 BDP', () => {
  const path = { rateMbps: 20, baseRttMs: 100, bufferBdp: 0.5, durationMs: 20_000 };
  // RFC 9438 §4.7: fast convergence SHOULD be off for a lone flow; with it, W_max is 0.85·W and 95 % of W lies
  // beyond the plateau.
  const cubic = runBottleneck(new CubicFactory({ fastConvergence: false }), path);
  const newReno = runBottleneck(new NewRenoFactory(), path);

  it('CUBIC regains its pre-loss window much sooner than NewReno, as fast as W_cubic(t) predicts', () => {
    const cubicLoss = steadyStateLoss(cubic);
    const renoLoss = steadyStateLoss(newReno);
    const cubicMs = recoveryTimeMs(cubic, cubicLoss, 0.95);
    const renoMs = recoveryTimeMs(newReno, renoLoss, 0.95);
    expect(cubicMs).toBeLessThan(renoMs / 3);

    // RFC 9438 §4.2: after β = 0.7, W_cubic(t) = 0.4·(t − K)³ + W reaches 0.95·W at t = K − ∛(0.05·W/C),
    // K = ∛(0.3·W/C). The epoch starts when the recovery period ends, at most one (queue-inflated) RTT after the
    // loss, and cwnd approaches target = W_cubic(t + RTT) over about one more RTT of ACKs.
    const w = cubicLoss.windowBeforeBytes / MDS;
    expect(cubicLoss.windowAfterBytes / MDS).toBeCloseTo(BETA * w, 6);
    const predictedMs = 1000 * (Math.cbrt(((1 - BETA) * w) / C) - Math.cbrt((0.05 * w) / C));
    const maxRttMs = path.baseRttMs + (cubic.bufferPackets + 1) * ((MDS * 8) / (path.rateMbps * 1000));
    expect(cubicMs).toBeGreaterThanOrEqual(predictedMs);
    expect(cubicMs).toBeLessThanOrEqual(predictedMs + 2 * maxRttMs);

    // RFC 9002 §7.3.3: NewReno climbs from W/2 by at most one datagram per round trip (≥ the base RTT).
    const wReno = renoLoss.windowBeforeBytes / MDS;
    expect(renoLoss.windowAfterBytes / MDS).toBeCloseTo(wReno / 2, 6);
    expect(renoMs).toBeGreaterThanOrEqual(0.45 * wReno * path.baseRttMs);
  });

  it('CUBIC keeps the link busier than NewReno', () => {
    expect(cubic.utilization).toBeGreaterThan(newReno.utilization);
    expect(cubic.utilization).toBeGreaterThan(0.95);
  });
});

describe('fluid bottleneck: HyStart++ leaves slow start on delay, before the first loss', () => {
  // At 20 Mbit/s × 100 ms with 1 BDP of buffer. The queue's first drop (about 650 ms) still comes before the exit
  // (about 760 ms): HyStart++ compares a round's minimum RTT with the previous round's, so it sees the queue a
  // round after it began to build, and a doubling window fills 1 BDP of buffer within that round. What it does
  // achieve is an exit driven by delay rather than loss, before the sender learns of any loss, and a far smaller
  // overshoot (Conservative Slow Start grows at a quarter of the rate).
  const path = { rateMbps: 20, baseRttMs: 100, bufferBdp: 1, durationMs: 3000 };
  const withHyStart = runBottleneck(new CubicFactory(), path);
  const without = runBottleneck(new CubicFactory({ hystart: false }), path);
  const newReno = runBottleneck(new NewRenoFactory(), path);

  it('enters CSS before the first congestion event', () => {
    expect(withHyStart.slowStartExitMs).toBeDefined();
    expect(withHyStart.events.length).toBeGreaterThan(0);
    expect(withHyStart.slowStartExitMs!).toBeLessThan(withHyStart.events[0]!.atMs);
  });

  it('overshoots less: fewer packets dropped before the sender reacts, a smaller window at the first loss', () => {
    expect(withHyStart.dropsBeforeFirstEvent).toBeLessThan(0.75 * without.dropsBeforeFirstEvent);
    expect(withHyStart.dropsBeforeFirstEvent).toBeLessThan(0.75 * newReno.dropsBeforeFirstEvent);
    expect(withHyStart.events[0]!.windowBeforeBytes).toBeLessThan(0.9 * without.events[0]!.windowBeforeBytes);
  });

  it('with 2 BDP of buffer too', () => {
    const deep = { ...path, bufferBdp: 2 };
    const r = runBottleneck(new CubicFactory(), deep);
    const plain = runBottleneck(new CubicFactory({ hystart: false }), deep);
    expect(r.slowStartExitMs!).toBeLessThan(r.events[0]!.atMs);
    expect(r.dropsBeforeFirstEvent).toBeLessThan(0.5 * plain.dropsBeforeFirstEvent);
  });
});
