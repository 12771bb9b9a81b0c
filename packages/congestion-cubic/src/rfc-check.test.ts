// Rules found while checking the implementation line by line against the RFC 9438 and RFC 9406 texts, that the
// other test files did not pin down yet.
import { NewRenoFactory, registerNewReno } from '@fos/congestion-newreno';
import { CongestionControllerFactory, createContainer, resolve, type SentPacketInfo } from '@fos/core';
import { CongestionHarness as Harness } from '@fos/core/testing';
import { describe, expect, it } from 'vitest';
import { CubicController } from './cubic.js';
import { CubicFactory } from './cubic-factory.js';
import { defaultCongestionControllerFactory } from './default-factory.js';
import { N_RTT_SAMPLE } from './hystart.js';
import { registerCubic } from './register.js';

const MDS = 1200;
const options = { maxDatagramSizeBytes: MDS, nowMs: 0 };

/** One ACK frame for `packets`, telling the controller whether it produced an RTT sample. */
function ackFrame(h: Harness, packets: readonly SentPacketInfo[], rttSampled: boolean | undefined): void {
  for (const p of packets) {
    h.inFlight.splice(h.inFlight.indexOf(p), 1);
    h.bytesInFlight -= p.sentBytes;
    h.cc.onPacketAcked(h.now, p, h.rtt, h.bytesInFlight);
  }
  h.cc.onAckProcessed(h.now, h.rtt, h.bytesInFlight, rttSampled);
}

describe('RFC 9406 §4.2: one RTT sample per ACK that carries one', () => {
  /** Two slow start rounds at 100 ms, then a round whose ACKs report 120 ms (enough to leave slow start). */
  function raisedRound(sampledFlags: (i: number) => boolean | undefined): CubicController {
    const cc = new CubicController(options);
    const h = new Harness(cc, MDS, 100);
    for (let r = 0; r < 2; r++) {
      const sent = h.fill();
      h.advance(100);
      for (const p of sent) ackFrame(h, [p], true);
    }
    const sent = h.fill();
    h.rtt.latestRttMs = 120;
    h.advance(120);
    sent.slice(0, N_RTT_SAMPLE + 4).forEach((p, i) => {
      ackFrame(h, [p], sampledFlags(i));
    });
    return cc;
  }

  it('counts ACKs the transport marks as sampled, and ACKs it says nothing about', () => {
    expect(raisedRound(() => true).hystartPhase).toBe('conservative_slow_start');
    expect(raisedRound(() => undefined).hystartPhase).toBe('conservative_slow_start');
  });

  it('does not count an ACK without a new sample: latest_rtt is then an older sample (RFC 9002 §5.1)', () => {
    // Only every other ACK produced a sample: 6 of the 12 ACKs, fewer than N_RTT_SAMPLE, so no exit yet.
    const cc = raisedRound((i) => i % 2 === 0);
    expect(cc.hystartPhase).toBe('slow_start');
    expect(cc.hystart.rttSampleCount).toBe(6);
  });

  it('still grows the window on ACKs without a sample (growth counts bytes, RFC 9406 §4.2)', () => {
    const cc = new CubicController(options);
    const h = new Harness(cc, MDS, 100);
    const sent = h.fill();
    h.advance(100);
    ackFrame(h, sent.slice(0, 2), false);
    expect(cc.windowBytes).toBe(12_000 + 2 * MDS);
  });
});

describe('RFC 9438 §4.3 with §4.10: α after a loss-free HyStart++ exit', () => {
  it('is 1 from the first ACK of congestion avoidance, since W_est starts at cwnd_epoch = cwnd_prior', () => {
    const cc = new CubicController(options);
    const h = new Harness(cc, MDS, 100);
    // Drive HyStart++ to its exit: two flat rounds, a raised one (CSS), then CSS_ROUNDS more.
    const round = (rtt: number) => {
      const sent = h.fill();
      h.rtt.latestRttMs = rtt;
      h.advance(rtt);
      h.ackEach(sent);
    };
    round(100);
    round(100);
    for (let i = 0; i < 8 && cc.hystartPhase !== 'done'; i++) round(120);
    expect(cc.hystartPhase).toBe('done');
    expect(cc.cwndPriorBytes).toBe(cc.slowStartThresholdBytes);
    // The first ACK of congestion avoidance starts the epoch, the second grows W_est by α·mds·bytes/cwnd.
    const sent = h.inFlight.length > 1 ? h.inFlight.slice(0, 2) : h.fill().slice(0, 2);
    h.ack([sent[0]!]);
    expect(cc.kSeconds).toBe(0);
    const wEst = cc.wEstBytes;
    const cwnd = cc.windowBytes;
    h.ack([sent[1]!]);
    expect(cc.wEstBytes).toBeCloseTo(wEst + (1 * MDS * MDS) / cwnd, 9);
  });
});

describe('defaultCongestionControllerFactory: CUBIC unless the composition registered another', () => {
  it('returns a CubicFactory when nothing is registered', () => {
    const c = createContainer();
    const f = defaultCongestionControllerFactory(c);
    expect(f).toBeInstanceOf(CubicFactory);
    expect(f.create(options).name).toBe('cubic');
    // It registered nothing.
    expect(c.isRegistered(CongestionControllerFactory, true)).toBe(false);
  });

  it('passes its options to the CUBIC fallback', () => {
    const f = defaultCongestionControllerFactory(createContainer(), { hystart: false });
    expect((f.create(options) as CubicController).hystartPhase).toBe('done');
  });

  it('returns whatever was registered, in the container or a parent', () => {
    const c = createContainer();
    registerNewReno(c);
    expect(defaultCongestionControllerFactory(c)).toBeInstanceOf(NewRenoFactory);
    const child = createContainer(c);
    expect(defaultCongestionControllerFactory(child)).toBeInstanceOf(NewRenoFactory);
    registerCubic(child);
    expect(defaultCongestionControllerFactory(child)).toBeInstanceOf(CubicFactory);
    const mine: CongestionControllerFactory = { name: 'mine', create: (o) => new CubicController(o) };
    c.register(CongestionControllerFactory, { useValue: mine });
    expect(defaultCongestionControllerFactory(c)).toBe(mine);
  });

  it('is what a composition root registers when the application registered nothing', () => {
    const c = createContainer();
    c.register(CongestionControllerFactory, { useValue: defaultCongestionControllerFactory(c) });
    expect(resolve(c, CongestionControllerFactory).name).toBe('cubic');
  });
});
