// Transport finding (for the @fos/quic owner): the transport never calls CongestionController.onApplicationLimited,
// so a sender that is limited by its application (or by flow control) keeps growing its congestion window.
//
//   node bench/src/lab/run-ts.mjs bench/src/lab/repro/app-limited-growth.ts
//
// RFC 9002 §7.8: an underutilized window (bytes in flight below it, not pacing-limited) SHOULD NOT be increased, in
// slow start or congestion avoidance. RFC 9438 §4.6 makes it a MUST for a CUBIC that (like ours) derives ssthresh
// from cwnd: implementations that use cwnd "MUST use other measures to prevent cwnd from growing when the volume of
// bytes in flight is smaller than cwnd". Both controllers implement the hook; nothing calls it.
//
// Here a sender writes 6 kB every 50 ms (≈ 1 Mbit/s) over a 50 Mbit/s × 50 ms path: bytes in flight stay near 6 kB,
// yet the window grows on every ACK (slow start never ends: no loss, no delay increase).
import { CubicFactory } from '@fos/congestion-cubic';
import { NewRenoFactory } from '@fos/congestion-newreno';
import { runScenario } from '../lab-run.js';
import { makeScenario } from '../scenario.js';

export async function main(): Promise<number> {
  const s = makeScenario({ rateMbps: 50, rttMs: 50, bufferBdp: 1, durationMs: 10_000 });
  for (const factory of [new CubicFactory(), new NewRenoFactory()]) {
    const r = await runScenario(s, factory, { flow: { appLimited: { bytes: 6_000, everyMs: 50 } } });
    const f = r.series.flows[0];
    const last = f.cwndBytes.length - 1;
    let maxInFlight = 0;
    for (const x of f.bytesInFlight) if (x > maxInFlight) maxInFlight = x;
    process.stdout.write(
      `${factory.name}: after ${s.durationMs / 1000} s cwnd = ${(f.cwndBytes[last] / 1000).toFixed(0)} kB ` +
        `(initial 12 kB) while bytes in flight never exceeded ${(maxInFlight / 1000).toFixed(1)} kB; ` +
        `goodput ${r.goodputMbps.toFixed(2)} Mbit/s\n`,
    );
  }
  return 0;
}
