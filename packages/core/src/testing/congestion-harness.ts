// Test driver for congestion-controller plugins (ours and users'): plays the transport's part (packet numbers, bytes in flight, ACK frames) around one controller.
import { VirtualClock } from '../clock/virtual-clock.js';
import type { CongestionController, SentPacketInfo } from '../contracts/congestion.js';
import type { RttView } from '../recovery/rtt-estimator.js';

/** An RttView whose fields a test sets directly. */
export type MutableRtt = { -readonly [K in keyof RttView]: RttView[K] };

export function fixedRtt(ms: number): MutableRtt {
  return { latestRttMs: ms, smoothedRttMs: ms, rttVarMs: ms / 2, minRttMs: ms, hasSample: true };
}

/** Drives one controller the way the transport would, on a virtual clock. */
export class CongestionHarness {
  readonly clock = new VirtualClock();
  readonly rtt: MutableRtt;
  bytesInFlight = 0;
  /** Packets sent and neither acknowledged nor lost, oldest first. */
  readonly inFlight: SentPacketInfo[] = [];
  private nextPn = 0;

  constructor(
    readonly cc: CongestionController,
    readonly mds = 1200,
    rttMs = 100,
  ) {
    this.rtt = fixedRtt(rttMs);
  }

  get now(): number {
    return this.clock.now();
  }

  advance(ms: number): this {
    this.clock.advance(ms);
    return this;
  }

  /** Sends `count` packets of `size` bytes now. */
  send(count: number, size = this.mds): SentPacketInfo[] {
    const sent: SentPacketInfo[] = [];
    for (let i = 0; i < count; i++) {
      const p: SentPacketInfo = { packetNumber: this.nextPn++, sentBytes: size, timeSentMs: this.now };
      this.inFlight.push(p);
      this.bytesInFlight += size;
      this.cc.onPacketSent(this.now, p, this.bytesInFlight);
      sent.push(p);
    }
    return sent;
  }

  /** Sends full-size packets while the window has room for one (what a bulk sender does). */
  fill(): SentPacketInfo[] {
    const sent: SentPacketInfo[] = [];
    while (this.bytesInFlight + this.mds <= this.cc.windowBytes) sent.push(...this.send(1));
    return sent;
  }

  /** One ACK frame acknowledging `packets` (default: everything in flight). */
  ack(packets: readonly SentPacketInfo[] = [...this.inFlight]): void {
    for (const p of packets) {
      this.remove(p);
      this.cc.onPacketAcked(this.now, p, this.rtt, this.bytesInFlight);
    }
    this.cc.onAckProcessed(this.now, this.rtt, this.bytesInFlight);
  }

  /** One ACK frame per packet, in order. */
  ackEach(packets: readonly SentPacketInfo[] = [...this.inFlight]): void {
    for (const p of packets) this.ack([p]);
  }

  /** Declares `packets` lost: one congestion event for the newest of them (RFC 9002 B.8 OnPacketsLost). */
  lose(packets: readonly SentPacketInfo[]): void {
    let newest = Number.NEGATIVE_INFINITY;
    let bytes = 0;
    for (const p of packets) {
      this.remove(p);
      bytes += p.sentBytes;
      if (p.timeSentMs > newest) newest = p.timeSentMs;
    }
    if (packets.length > 0) this.cc.onCongestionEvent(this.now, newest, bytes, this.bytesInFlight);
  }

  appLimited(): void {
    this.cc.onApplicationLimited(this.now, this.bytesInFlight);
  }

  private remove(p: SentPacketInfo): void {
    const i = this.inFlight.indexOf(p);
    if (i < 0) throw new Error(`packet ${p.packetNumber} is not in flight`);
    this.inFlight.splice(i, 1);
    this.bytesInFlight -= p.sentBytes;
  }
}
