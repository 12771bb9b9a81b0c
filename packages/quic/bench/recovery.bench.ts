// Loss detection micro-benchmark: 10 000 packets in flight, acknowledged (RFC 9002 Appendix A.7), against a naive
// baseline in the same run (a Map of per-packet objects, the shape of the Appendix A pseudocode taken literally).
// Run: npx vitest bench --run --project quic bench/recovery.bench.ts

import {
  type CongestionController,
  type CongestionState,
  RttEstimator,
  type RttView,
  type SentPacketInfo,
} from '@fos/core';
import { bench, describe } from 'vitest';
import { AckFrameFields, AckTracker } from '../src/recovery/ack-tracker.js';
import type { ReceivedAck } from '../src/recovery/loss-detection-result.js';
import { LossDetector } from '../src/recovery/loss-detector.js';
import { PacketNumberSpace } from '../src/recovery/packet-number-space.js';

const APP = PacketNumberSpace.APPLICATION_DATA;
const N = 10_000;
const SIZE = 1200;

/** A controller that does nothing, so the figures are loss detection's own. */
class NoopController implements CongestionController {
  readonly name = 'noop';
  windowBytes = 1 << 30;
  slowStartThresholdBytes = Number.POSITIVE_INFINITY;
  state: CongestionState = 'slow_start';
  onPacketSent(_n: number, _p: SentPacketInfo, _b: number): void {}
  onPacketAcked(_n: number, _p: SentPacketInfo, _r: RttView, _b: number): void {}
  onAckProcessed(_n: number, _r: RttView, _b: number): void {}
  onCongestionEvent(_n: number, _s: number, _l: number, _b: number): void {}
  onPersistentCongestion(_n: number): void {}
  onSpuriousCongestion(_n: number): void {}
  onApplicationLimited(_n: number, _b: number): void {}
  onMaxDatagramSizeChanged(_s: number): void {}
  pacingRateBytesPerSecond(_r: RttView): number | undefined {
    return undefined;
  }
}

interface Payload {
  readonly pn: number;
}

/** ACK frames the receiver would send: every 2nd packet (RFC 9000 §13.2.2), or with every 100th packet lost. */
function ackSchedule(lossEvery: number): ReceivedAck[] {
  const acks: ReceivedAck[] = [];
  const received: number[] = [];
  for (let pn = 0; pn < N; pn++) if (lossEvery === 0 || pn % lossEvery !== lossEvery - 1) received.push(pn);
  // Cumulative frames with up to 32 ranges, like AckTracker produces, one per two packets received.
  const tracker = new AckTracker({ space: APP, maxRanges: 32 });
  const out = new AckFrameFields();
  for (let k = 0; k < received.length; k++) {
    tracker.onPacketReceived(k, received[k], true);
    if (k % 2 === 1 || k === received.length - 1) {
      tracker.writeAckFrame(k, out);
      acks.push({ ranges: out.ranges.slice(0, 2 * out.rangeCount), rangeCount: out.rangeCount, ackDelayMs: 0 });
      tracker.onAckSent();
    }
  }
  return acks;
}

const payloads: Payload[] = Array.from({ length: N }, (_, pn) => ({ pn }));
const oneAck: ReceivedAck[] = [{ ranges: [N - 1, 0], rangeCount: 1, ackDelayMs: 0 }];
const everySecond = ackSchedule(0);
const withLoss = ackSchedule(100);

/**
 * Both implementations are long-lived, like a connection: each iteration sends the next N packet numbers and
 * acknowledges them with the schedule shifted by the iteration's base (the shift costs both the same).
 */
const shifted = { ranges: new Array<number>(64).fill(0), rangeCount: 0, ackDelayMs: 0 };
function shift(a: ReceivedAck, base: number): ReceivedAck {
  for (let i = 0; i < 2 * a.rangeCount; i++) shifted.ranges[i] = a.ranges[i] + base;
  shifted.rangeCount = a.rangeCount;
  return shifted;
}

class Ours {
  private readonly ld = new LossDetector<Payload>({
    isServer: true,
    rtt: new RttEstimator(),
    controller: new NoopController(),
  });
  private base = 0;
  private now = 0;
  constructor() {
    this.ld.setHandshakeConfirmed(0);
  }
  run(acks: readonly ReceivedAck[]): number {
    const { ld, base } = this;
    for (let pn = 0; pn < N; pn++)
      ld.onPacketSent(this.now + pn * 0.01, APP, base + pn, SIZE, true, true, payloads[pn]);
    this.now += N * 0.01 + 20;
    let n = 0;
    for (const a of acks) {
      const r = ld.onAckReceived(this.now, APP, shift(a, base));
      n += r.acked.length + r.lost.length;
    }
    // Settle what the schedule left outstanding so the next iteration starts clean.
    n += ld.onAckReceived(this.now, APP, shift(oneAck[0], base)).lateAcked.length;
    this.now += 1000;
    this.base += N;
    return n;
  }
}

// ---- Baseline: Appendix A taken literally, a Map of per-packet objects, full scans for loss detection ----

interface NaiveSent {
  pn: number;
  timeSent: number;
  ackEliciting: boolean;
  inFlight: boolean;
  sentBytes: number;
  payload: Payload;
}

class Naive {
  private readonly sent = new Map<number, NaiveSent>();
  private bytesInFlight = 0;
  private largestAcked = -1;
  private base = 0;
  private now = 0;
  run(acks: readonly ReceivedAck[]): number {
    const { sent, base } = this;
    for (let pn = 0; pn < N; pn++) {
      const p = {
        pn: base + pn,
        timeSent: this.now + pn * 0.01,
        ackEliciting: true,
        inFlight: true,
        sentBytes: SIZE,
        payload: payloads[pn],
      };
      sent.set(base + pn, p);
      this.bytesInFlight += SIZE;
    }
    this.now += N * 0.01 + 20;
    let n = 0;
    for (const a of acks) n += this.onAck(shift(a, base));
    n += this.onAck(shift(oneAck[0], base));
    sent.clear(); // lost packets are not kept
    this.now += 1000;
    this.base += N;
    return n;
  }
  private onAck(a: ReceivedAck): number {
    const sent = this.sent;
    this.largestAcked = Math.max(this.largestAcked, a.ranges[0]);
    const newlyAcked: NaiveSent[] = [];
    for (let k = 0; k < a.rangeCount; k++) {
      for (let pn = a.ranges[2 * k + 1]; pn <= a.ranges[2 * k]; pn++) {
        const p = sent.get(pn);
        if (p) {
          sent.delete(pn);
          newlyAcked.push(p);
        }
      }
    }
    if (newlyAcked.length === 0) return 0;
    const lost: NaiveSent[] = [];
    for (const p of sent.values()) {
      if (p.pn > this.largestAcked) continue;
      if (p.timeSent <= this.now - 1.125 || this.largestAcked >= p.pn + 3) lost.push(p);
    }
    for (const p of lost) {
      sent.delete(p.pn);
      this.bytesInFlight -= p.sentBytes;
    }
    for (const p of newlyAcked) this.bytesInFlight -= p.sentBytes;
    return newlyAcked.length + lost.length;
  }
}

const ours = new Ours();
const naive = new Naive();

describe(`ACK processing for ${N} packets in flight (send ${N} + acknowledge all)`, () => {
  bench('LossDetector: one ACK frame for all', () => {
    ours.run(oneAck);
  });
  bench('baseline Map: one ACK frame for all', () => {
    naive.run(oneAck);
  });
  bench('LossDetector: an ACK per 2 packets (cumulative, ≤ 32 ranges)', () => {
    ours.run(everySecond);
  });
  bench('baseline Map: an ACK per 2 packets (cumulative, ≤ 32 ranges)', () => {
    naive.run(everySecond);
  });
  bench('LossDetector: an ACK per 2 packets, 1% lost', () => {
    ours.run(withLoss);
  });
  bench('baseline Map: an ACK per 2 packets, 1% lost', () => {
    naive.run(withLoss);
  });
});

describe(`ACK generation for ${N} received packets`, () => {
  bench('AckTracker: receive, ACK every 2nd packet', () => {
    const tracker = new AckTracker({ space: APP });
    const out = new AckFrameFields();
    for (let pn = 0; pn < N; pn++) {
      tracker.onPacketReceived(pn, pn, true);
      if (tracker.ackDue(pn)) {
        tracker.writeAckFrame(pn, out);
        tracker.onAckSent();
      }
    }
  });
});
