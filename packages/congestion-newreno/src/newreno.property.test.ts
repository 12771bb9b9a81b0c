import { CongestionHarness as Harness } from '@fos/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewRenoController } from './newreno.js';

type Command =
  | { readonly t: 'send'; readonly n: number; readonly size: number }
  | { readonly t: 'fill' }
  | { readonly t: 'ack'; readonly n: number; readonly skip: number; readonly rttMs: number }
  | { readonly t: 'lose'; readonly n: number }
  | { readonly t: 'ecn' }
  | { readonly t: 'persistent' }
  | { readonly t: 'spurious' }
  | { readonly t: 'app-limited' }
  | { readonly t: 'advance'; readonly ms: number }
  | { readonly t: 'mds'; readonly size: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    t: fc.constant('send' as const),
    n: fc.integer({ min: 1, max: 20 }),
    size: fc.integer({ min: 1, max: 1500 }),
  }),
  fc.constant({ t: 'fill' as const }),
  fc.record({
    t: fc.constant('ack' as const),
    n: fc.integer({ min: 0, max: 40 }),
    skip: fc.integer({ min: 0, max: 5 }),
    rttMs: fc.double({ min: 0, max: 2000, noNaN: true }),
  }),
  fc.record({ t: fc.constant('lose' as const), n: fc.integer({ min: 1, max: 10 }) }),
  fc.constant({ t: 'ecn' as const }),
  fc.constant({ t: 'persistent' as const }),
  fc.constant({ t: 'spurious' as const }),
  fc.constant({ t: 'app-limited' as const }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.double({ min: 0, max: 1000, noNaN: true }) }),
  fc.record({ t: fc.constant('mds' as const), size: fc.integer({ min: 1200, max: 1500 }) }),
);

/**
 * Runs one command; returns whether the sender is application-limited afterwards by the documented contract
 * (RFC 9002 §7.8): onApplicationLimited with a datagram of room unused starts it, a send that leaves no room for
 * another datagram ends it.
 */
function run(h: Harness, cc: NewRenoController, cmd: Command, appLimited: boolean): boolean {
  switch (cmd.t) {
    case 'send':
      for (let i = 0; i < cmd.n; i++) {
        h.send(1, Math.min(cmd.size, cc.maxDatagramSizeBytes));
        if (h.bytesInFlight + cc.maxDatagramSizeBytes > cc.windowBytes) appLimited = false;
      }
      return appLimited;
    case 'fill':
      return h.fill().length > 0 ? false : appLimited;
    case 'ack': {
      h.rtt.latestRttMs = cmd.rttMs;
      h.rtt.smoothedRttMs = cmd.rttMs;
      h.rtt.minRttMs = Math.min(h.rtt.minRttMs, cmd.rttMs);
      const before = cc.windowBytes;
      h.ack(h.inFlight.slice(cmd.skip, cmd.skip + cmd.n));
      if (appLimited) expect(cc.windowBytes).toBeLessThanOrEqual(before);
      return appLimited;
    }
    case 'lose':
      h.lose(h.inFlight.slice(0, cmd.n));
      return appLimited;
    case 'ecn':
      cc.onCongestionEvent(h.now, h.inFlight.at(-1)?.timeSentMs ?? h.now, 0, h.bytesInFlight);
      return appLimited;
    case 'persistent':
      cc.onPersistentCongestion(h.now);
      return appLimited;
    case 'spurious':
      cc.onSpuriousCongestion(h.now);
      return appLimited;
    case 'app-limited':
      if (h.bytesInFlight + cc.maxDatagramSizeBytes <= cc.windowBytes) appLimited = true;
      h.appLimited();
      return appLimited;
    case 'advance':
      h.advance(cmd.ms);
      return appLimited;
    case 'mds':
      cc.onMaxDatagramSizeChanged(cmd.size);
      return appLimited;
  }
}

describe('NewReno invariants under random event sequences (fast-check)', () => {
  it('the window stays finite, at or above the minimum, and never grows while application-limited', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
        const cc = new NewRenoController({ maxDatagramSizeBytes: 1200, nowMs: 0 });
        const h = new Harness(cc, 1200);
        let appLimited = false;
        for (const cmd of commands) {
          appLimited = run(h, cc, cmd, appLimited);
          expect(Number.isFinite(cc.windowBytes)).toBe(true);
          expect(cc.windowBytes).toBeGreaterThanOrEqual(cc.minimumWindowBytes);
          expect(Number.isNaN(cc.slowStartThresholdBytes)).toBe(false);
          expect(cc.slowStartThresholdBytes).toBeGreaterThan(0);
          const rate = cc.pacingRateBytesPerSecond(h.rtt);
          if (rate !== undefined) expect(Number.isFinite(rate) && rate > 0).toBe(true);
          expect(cc.isApplicationLimited).toBe(appLimited);
        }
      }),
      { numRuns: 300 },
    );
  });
});
