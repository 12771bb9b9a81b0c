// Cost of the congestion hooks on the hot path: per acknowledged packet, one onPacketSent + onPacketAcked +
// onAckProcessed, for a bulk sender in a loss sawtooth (one loss every 2000 packets). Run:
//   npx vitest bench --run --project congestion-cubic
import { NewRenoController } from '@fos/congestion-newreno';
import type { CongestionController, RttView } from '@fos/core';
import { bench, describe } from 'vitest';
import { CubicController } from '../src/index.js';

const MDS = 1200;
const RING = 1 << 16;
const PACKETS_PER_ITERATION = 10_000;

interface Packet {
  packetNumber: number;
  sentBytes: number;
  timeSentMs: number;
}

function makeDriver(cc: CongestionController): () => void {
  const ring: Packet[] = Array.from({ length: RING }, () => ({ packetNumber: 0, sentBytes: MDS, timeSentMs: 0 }));
  const rtt: RttView = { latestRttMs: 50, smoothedRttMs: 50, rttVarMs: 5, minRttMs: 50, hasSample: true };
  let head = 0; // oldest in flight
  let tail = 0; // next to send
  let bytesInFlight = 0;
  let now = 0;
  let acked = 0;
  return () => {
    for (let i = 0; i < PACKETS_PER_ITERATION; i++) {
      while (bytesInFlight + MDS <= cc.windowBytes && tail - head < RING) {
        const p = ring[tail % RING]!;
        p.packetNumber = tail++;
        p.timeSentMs = now;
        bytesInFlight += MDS;
        cc.onPacketSent(now, p, bytesInFlight);
      }
      now += 0.01;
      const p = ring[head++ % RING]!;
      bytesInFlight -= MDS;
      if (++acked % 2000 === 0) {
        cc.onCongestionEvent(now, p.timeSentMs, MDS, bytesInFlight);
      } else {
        cc.onPacketAcked(now, p, rtt, bytesInFlight);
        cc.onAckProcessed(now, rtt, bytesInFlight);
      }
    }
  };
}

describe(`congestion hooks, ${PACKETS_PER_ITERATION} packets per iteration`, () => {
  const options = { maxDatagramSizeBytes: MDS, nowMs: 0 };
  bench('NewReno', makeDriver(new NewRenoController(options)));
  bench('CUBIC', makeDriver(new CubicController(options)));
  bench('CUBIC (HyStart++ off)', makeDriver(new CubicController(options, { hystart: false })));
});
