// Transport finding (for the @fos/quic owner): a receiver that reads stream data as soon as it arrives sends an ACK
// for (nearly) every data packet instead of every second one (RFC 9000 §13.2.2).
//
//   node bench/src/lab/run-ts.mjs bench/src/lab/repro/ack-per-data-packet.ts
//
// Cause: reading marks connection credit dirty (StreamManager.markCreditDirty → connCreditDirty = true), which makes
// StreamManager.wantsToSend true even when no MAX_DATA / MAX_STREAM_DATA update is due; PacketSender.wants() then
// builds a packet, and the only frame it finds to put in it is the pending ACK — sent although no ACK is due yet.
// The same flow with a receiver that reads every 5 ms sends about one ACK per two data packets.
import { CubicFactory } from '@fos/congestion-cubic';
import { runScenario } from '../lab-run.js';
import { makeScenario } from '../scenario.js';

export async function main(): Promise<number> {
  const s = makeScenario({ rateMbps: 20, rttMs: 40, bufferBdp: 1, durationMs: 3_000 });
  for (const readIntervalMs of [0, 5]) {
    const r = await runScenario(s, new CubicFactory(), { flow: { readIntervalMs } });
    const f = r.flows[0];
    process.stdout.write(
      `receiver reads ${readIntervalMs === 0 ? 'at once     ' : `every ${readIntervalMs} ms  `}: ` +
        `${f.packetsSent} data-side packets, ${f.receiverPacketsSent} receiver packets ` +
        `(ratio ${(f.receiverPacketsSent / f.packetsSent).toFixed(2)}), goodput ${r.goodputMbps.toFixed(2)} Mbit/s\n`,
    );
  }
  return 0;
}
