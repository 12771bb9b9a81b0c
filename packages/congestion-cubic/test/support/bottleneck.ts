// A tiny deterministic single-flow bottleneck for sanity checks of controller dynamics. NOT the congestion lab:
// no transport, no pacing, no ACK delay — one sender that always has data, one drop-tail FIFO link, one ACK per
// packet, RFC 9002 loss detection (packet and time thresholds) reduced to what a FIFO path needs.
import {
  type CongestionController,
  type CongestionControllerFactory,
  type CongestionState,
  PACKET_THRESHOLD,
  RttEstimator,
  type SentPacketInfo,
  TIME_THRESHOLD,
  VirtualClock,
} from '@fos/core';

export interface BottleneckOptions {
  readonly rateMbps: number;
  readonly baseRttMs: number;
  /** Queue capacity in multiples of the bandwidth-delay product. */
  readonly bufferBdp: number;
  readonly durationMs: number;
  readonly maxDatagramSizeBytes?: number;
}

export interface CongestionEventRecord {
  readonly atMs: number;
  /** Whether the controller reduced its window (false: a loss inside an ongoing recovery period). */
  readonly reduced: boolean;
  readonly stateBefore: CongestionState;
  readonly windowBeforeBytes: number;
  readonly windowAfterBytes: number;
}

export interface BottleneckResult {
  readonly controller: CongestionController;
  readonly bdpPackets: number;
  readonly bufferPackets: number;
  /** Send time of the first packet the queue dropped (Infinity if none). */
  readonly firstDropMs: number;
  /** Packets the queue dropped before the sender detected the first loss (the slow-start overshoot). */
  readonly dropsBeforeFirstEvent: number;
  /** Packets the queue dropped in all. */
  readonly drops: number;
  /** Time of every ACK and the window right after it. */
  readonly ackTimesMs: number[];
  readonly windowsBytes: number[];
  /** Congestion events the controller was told about, in order. */
  readonly events: CongestionEventRecord[];
  /** When the controller's `hystartPhase` (if it has one) first left 'slow_start'. */
  readonly slowStartExitMs: number | undefined;
  readonly deliveredBytes: number;
  /** delivered / (rate · duration). */
  readonly utilization: number;
}

interface Packet {
  readonly info: SentPacketInfo;
  /** ACK arrival time, or -1 if the queue dropped it. */
  readonly ackAtMs: number;
  done: boolean;
}

export function runBottleneck(factory: CongestionControllerFactory, options: BottleneckOptions): BottleneckResult {
  const mds = options.maxDatagramSizeBytes ?? 1200;
  const clock = new VirtualClock();
  const cc = factory.create({ maxDatagramSizeBytes: mds, nowMs: 0 });
  const hystart = cc as unknown as { readonly hystartPhase?: string };
  const rtt = new RttEstimator();
  const serviceMs = (mds * 8) / (options.rateMbps * 1000);
  const bdpPackets = options.baseRttMs / serviceMs;
  const bufferPackets = Math.round(options.bufferBdp * bdpPackets);

  const packets: Packet[] = [];
  let head = 0; // first packet neither acknowledged nor declared lost
  let nextAck = 0; // first packet whose ACK has not arrived (skipping drops)
  let nextPn = 0;
  let linkFreeAtMs = 0;
  let bytesInFlight = 0;
  let firstDropMs = Number.POSITIVE_INFINITY;
  let drops = 0;
  let dropsBeforeFirstEvent = 0;
  let slowStartExitMs: number | undefined;
  let delivered = 0;
  const ackTimesMs: number[] = [];
  const windowsBytes: number[] = [];
  const events: CongestionEventRecord[] = [];

  const send = (): void => {
    const now = clock.now();
    while (bytesInFlight + mds <= cc.windowBytes) {
      const backlog = (linkFreeAtMs - now) / serviceMs; // packets queued or in service
      let ackAtMs = -1;
      if (backlog < bufferPackets) {
        linkFreeAtMs = Math.max(now, linkFreeAtMs) + serviceMs;
        ackAtMs = linkFreeAtMs + options.baseRttMs;
      } else {
        if (firstDropMs === Number.POSITIVE_INFINITY) firstDropMs = now;
        drops++;
        if (events.length === 0) dropsBeforeFirstEvent++;
      }
      const info: SentPacketInfo = { packetNumber: nextPn++, sentBytes: mds, timeSentMs: now };
      packets.push({ info, ackAtMs, done: false });
      bytesInFlight += mds;
      cc.onPacketSent(now, info, bytesInFlight);
    }
  };

  const declareLost = (upTo: number, largestAckedPn: number): void => {
    const now = clock.now();
    const lossDelay = Math.max(TIME_THRESHOLD * Math.max(rtt.smoothedRttMs, rtt.latestRttMs), 1);
    let newestLost = Number.NEGATIVE_INFINITY;
    let lostBytes = 0;
    for (let i = head; i < upTo; i++) {
      const p = packets[i]!;
      if (p.done) continue;
      // RFC 9002 §6.1: packet threshold or time threshold.
      if (largestAckedPn >= p.info.packetNumber + PACKET_THRESHOLD || p.info.timeSentMs <= now - lossDelay) {
        p.done = true;
        bytesInFlight -= p.info.sentBytes;
        lostBytes += p.info.sentBytes;
        newestLost = Math.max(newestLost, p.info.timeSentMs);
      }
    }
    if (lostBytes === 0) return;
    const stateBefore = cc.state;
    const windowBeforeBytes = cc.windowBytes;
    cc.onCongestionEvent(now, newestLost, lostBytes, bytesInFlight);
    const windowAfterBytes = cc.windowBytes;
    events.push({
      atMs: now,
      reduced: windowAfterBytes < windowBeforeBytes,
      stateBefore,
      windowBeforeBytes,
      windowAfterBytes,
    });
  };

  send();
  while (clock.now() < options.durationMs) {
    while (nextAck < packets.length && packets[nextAck]!.ackAtMs < 0) nextAck++;
    if (nextAck >= packets.length) {
      // Only dropped packets are outstanding: the time threshold (or a PTO) declares them lost.
      const last = packets[packets.length - 1]!;
      clock.advanceTo(Math.max(clock.now(), last.info.timeSentMs + rtt.ptoMs(0)));
      declareLost(packets.length, Number.NEGATIVE_INFINITY);
    } else {
      const p = packets[nextAck]!;
      clock.advanceTo(p.ackAtMs);
      const now = clock.now();
      rtt.update(now - p.info.timeSentMs, 0, true, 0);
      // RFC 9002 A.7: losses first (OnPacketsLost), then the newly acknowledged packet.
      declareLost(nextAck, p.info.packetNumber);
      p.done = true;
      bytesInFlight -= p.info.sentBytes;
      delivered += p.info.sentBytes;
      cc.onPacketAcked(now, p.info, rtt, bytesInFlight);
      cc.onAckProcessed(now, rtt, bytesInFlight);
      nextAck++;
      ackTimesMs.push(now);
      windowsBytes.push(cc.windowBytes);
      if (
        slowStartExitMs === undefined &&
        hystart.hystartPhase !== undefined &&
        hystart.hystartPhase !== 'slow_start'
      ) {
        slowStartExitMs = now;
      }
    }
    while (head < packets.length && packets[head]!.done) head++;
    send();
  }
  return {
    controller: cc,
    bdpPackets,
    bufferPackets,
    firstDropMs,
    dropsBeforeFirstEvent,
    drops,
    ackTimesMs,
    windowsBytes,
    events,
    slowStartExitMs,
    deliveredBytes: delivered,
    utilization: (delivered * 8) / (options.rateMbps * 1000 * options.durationMs),
  };
}

/** Time from the event until the window first reaches `fraction` of its value before the event (Infinity: never). */
export function recoveryTimeMs(result: BottleneckResult, event: CongestionEventRecord, fraction: number): number {
  const goal = fraction * event.windowBeforeBytes;
  const nextEventMs = result.events.find((e) => e.reduced && e.atMs > event.atMs)?.atMs ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < result.ackTimesMs.length; i++) {
    const t = result.ackTimesMs[i]!;
    if (t <= event.atMs) continue;
    if (t >= nextEventMs) break;
    if (result.windowsBytes[i]! >= goal) return t - event.atMs;
  }
  return Number.POSITIVE_INFINITY;
}
