// RFC 9002 §5–§7 and Appendix A: loss detection, PTO and persistent congestion for one connection path, with the
// congestion controller reached through its hooks. Names follow the Appendix A pseudocode.

import {
  type CongestionController,
  PACKET_THRESHOLD,
  PERSISTENT_CONGESTION_THRESHOLD,
  type RttEstimator,
  type SentPacketInfo,
  TransportError,
  TransportErrorCode,
} from '@fos/core';
import { DEFAULT_MAX_ACK_DELAY_MS } from '../wire/transport-parameters.js';
import { LossDetectionResult, type ReceivedAck } from './loss-detection-result.js';
import { EcnCodepoint, type EcnCounts, PACKET_NUMBER_SPACE_COUNT, PacketNumberSpace } from './packet-number-space.js';
import { SentFlags, SentPacketStore, SentStatus } from './sent-packet-store.js';

/** What the single loss detection timer is armed for (RFC 9002 Appendix A.8). */
export const LossTimerMode = {
  NONE: 0,
  /** Time-threshold loss detection (§6.1.2). */
  LOSS_TIME: 1,
  /** Probe timeout (§6.2.1). */
  PTO: 2,
  /** The client's anti-deadlock PTO with nothing in flight (§6.2.2.1). */
  ANTI_DEADLOCK: 3,
} as const;
export type LossTimerMode = (typeof LossTimerMode)[keyof typeof LossTimerMode];

/** The PTO backoff exponent stops growing here (2^30 · PTO is far beyond any idle timeout). */
const MAX_PTO_BACKOFF_EXPONENT = 30;
/** Non-ack-eliciting packets nobody acknowledged are forgotten after this many PTOs (see SentPacketStore). */
const UNACKED_NON_ELICITING_MAX_AGE_PTOS = 3;

export interface LossDetectorOptions {
  /** Endpoint role: a server assumes the client validated its address (RFC 9002 Appendix A.8). */
  readonly isServer: boolean;
  /** The path's RTT estimator (shared with the congestion controller and the connection). */
  readonly rtt: RttEstimator;
  /** The path's congestion controller; its hooks are called from ACK processing and timeouts. */
  readonly controller: CongestionController;
  /** The peer's max_ack_delay transport parameter in ms (default 25, RFC 9000 §18.2). */
  readonly peerMaxAckDelayMs?: number;
  /** kPacketThreshold (RFC 9002 §6.1.1, default 3; it SHOULD NOT be lower). */
  readonly packetThreshold?: number;
  /** Probe packets to send on a PTO (RFC 9002 §6.2.4 allows 1 or 2; default 2). */
  readonly ptoProbeCount?: 1 | 2;
  /**
   * ECN codepoint the connection sets on outgoing packets (RFC 9000 §13.4.2). Node's dgram cannot set ECN bits,
   * so the default is NOT_ECT; ECN counts the peer reports are then validated against that.
   */
  readonly ecnCodepoint?: EcnCodepoint;
  /** Initial ring capacity per packet number space (power of two, default 16). */
  readonly initialCapacity?: number;
}

/** A reusable {@link SentPacketInfo} handed to controller hooks (valid only during the call). */
class SentPacketView implements SentPacketInfo {
  packetNumber = 0;
  sentBytes = 0;
  timeSentMs = 0;
}

/**
 * RFC 9002 loss detection for one path across the three packet number spaces: sent-packet tracking, ACK
 * processing with RTT sampling, packet- and time-threshold loss, the loss timer and PTO, persistent congestion,
 * ECN-CE reaction, spurious-loss detection and key discard. It owns bytes in flight and calls the congestion
 * controller's hooks; it never sends anything itself — results say what the connection must do.
 *
 * Sans-I/O: every input carries `nowMs`; {@link pollTimeout} gives the one deadline to arm, and
 * {@link handleTimeout} runs it. `T` is the connection's per-packet record of what to retransmit.
 */
export class LossDetector<T = unknown> {
  /** The path's congestion controller (replaceable, e.g. after a Retry, RFC 9002 §6.3). */
  controller: CongestionController;
  readonly rtt: RttEstimator;
  private readonly isServer: boolean;
  private peerMaxAckDelay: number;
  private readonly packetThreshold: number;
  private readonly ptoProbeCount: number;
  private readonly ecnCodepoint: EcnCodepoint;

  private readonly spaces: SentPacketStore<T>[] = [];
  private readonly result = new LossDetectionResult<T>();
  private readonly info = new SentPacketView();

  // RFC 9002 Appendix A.3 variables, per packet number space.
  private readonly largestAckedPacket = [-1, -1, -1];
  private readonly lossTime = [Infinity, Infinity, Infinity];
  private readonly timeOfLastAckElicitingPacket = [0, 0, 0];
  private readonly ackElicitingInFlight = [0, 0, 0];
  private readonly ecnCounts: EcnCounts[] = [];
  private ptoCountValue = 0;
  /** A.3 first_rtt_sample: NaN until the first sample. */
  private firstRttSampleMs: number;
  private bytesInFlightValue = 0;

  private handshakeConfirmed = false;
  private hasHandshakeKeys = false;
  private receivedHandshakeAck = false;
  private amplificationBlocked = false;
  private ecnFailed = false;

  private timerDeadline = Infinity;
  private timerModeValue: LossTimerMode = LossTimerMode.NONE;
  private timerSpace: PacketNumberSpace = PacketNumberSpace.INITIAL;

  // Spurious congestion detection: the losses of the latest window reduction and how many are still unacked.
  private epochCounter = 0;
  private lossEpoch = 0;
  private lossEpochOutstanding = 0;

  // Scratch buffers reused by every call (logical slot indices).
  private readonly ackedIdx: number[] = [];
  private readonly lostIdx: number[] = [];

  constructor(options: LossDetectorOptions) {
    this.isServer = options.isServer;
    this.rtt = options.rtt;
    this.controller = options.controller;
    this.peerMaxAckDelay = options.peerMaxAckDelayMs ?? DEFAULT_MAX_ACK_DELAY_MS;
    this.packetThreshold = options.packetThreshold ?? PACKET_THRESHOLD;
    this.ptoProbeCount = options.ptoProbeCount ?? 2;
    this.ecnCodepoint = options.ecnCodepoint ?? EcnCodepoint.NOT_ECT;
    this.firstRttSampleMs = this.rtt.hasSample ? Number.NEGATIVE_INFINITY : Number.NaN;
    for (let s = 0; s < PACKET_NUMBER_SPACE_COUNT; s++) {
      this.spaces.push(new SentPacketStore<T>(options.initialCapacity ?? 16));
      this.ecnCounts.push({ ect0: 0, ect1: 0, ce: 0 });
    }
  }

  /** RFC 9002 Appendix B.2 bytes_in_flight: in-flight packets neither acknowledged, lost nor discarded. */
  get bytesInFlight(): number {
    return this.bytesInFlightValue;
  }

  /** RFC 9002 Appendix A.3 pto_count: PTOs since the last acknowledgment that reset it. */
  get ptoCount(): number {
    return this.ptoCountValue;
  }

  /** What the loss detection timer is armed for. */
  get timerMode(): LossTimerMode {
    return this.timerModeValue;
  }

  /** Whether ECN validation failed (RFC 9000 §13.4.2.2): the connection must not set ECT codepoints. */
  get ecnValidationFailed(): boolean {
    return this.ecnFailed;
  }

  /**
   * Packets that were neither ack-eliciting nor in flight (ACK-only) and were forgotten unacknowledged after
   * 3 PTOs to bound memory (the peer need not acknowledge them, RFC 9000 §13.2.1). They are reported nowhere.
   */
  get forgottenUnackedPackets(): number {
    let n = 0;
    for (const store of this.spaces) n += store.forgottenUnacked;
    return n;
  }

  /** The peer's max_ack_delay in ms (from its transport parameters). */
  get peerMaxAckDelayMs(): number {
    return this.peerMaxAckDelay;
  }

  /** Largest packet number acknowledged in `space`, -1 before any (A.3 largest_acked_packet). */
  largestAcked(space: PacketNumberSpace): number {
    return this.largestAckedPacket[space];
  }

  /** Largest packet number sent in `space`, -1 before any. */
  largestSent(space: PacketNumberSpace): number {
    return this.spaces[space].largestSent;
  }

  /** Whether ack-eliciting packets of `space` are in flight (RFC 9002 §6.2.4: probe those spaces too). */
  hasAckElicitingInFlight(space: PacketNumberSpace): boolean {
    return this.ackElicitingInFlight[space] > 0;
  }

  /** The loss detection deadline in ms (the earliest of loss time and PTO), or undefined when the timer is off. */
  pollTimeout(): number | undefined {
    return this.timerDeadline === Infinity ? undefined : this.timerDeadline;
  }

  /** The peer's transport parameters arrived: its max_ack_delay in ms (RFC 9000 §18.2). */
  setPeerMaxAckDelay(nowMs: number, maxAckDelayMs: number): void {
    this.peerMaxAckDelay = maxAckDelayMs;
    this.setLossDetectionTimer(nowMs);
  }

  /** Handshake keys are available: the anti-deadlock probe becomes a Handshake packet (RFC 9002 §6.2.2.1). */
  setHandshakeKeysAvailable(nowMs: number): void {
    this.hasHandshakeKeys = true;
    this.setLossDetectionTimer(nowMs);
  }

  /**
   * The handshake is confirmed (RFC 9001 §4.1.2): the ApplicationData PTO may be armed and includes
   * max_ack_delay (RFC 9002 §6.2.1), and ack delays are capped at max_ack_delay (§5.3).
   */
  setHandshakeConfirmed(nowMs: number): void {
    this.handshakeConfirmed = true;
    this.setLossDetectionTimer(nowMs);
  }

  /**
   * Server only: whether the anti-amplification limit (RFC 9000 §8.1) leaves nothing to send. While blocked the PTO
   * is not armed (RFC 9002 §6.2.2.1); when a datagram unblocks it the timer is re-armed and, if already past,
   * {@link pollTimeout} returns a time ≤ now so the connection runs {@link handleTimeout} at once (Appendix A.6).
   */
  setAmplificationBlocked(nowMs: number, blocked: boolean): void {
    if (this.amplificationBlocked === blocked) return;
    this.amplificationBlocked = blocked;
    this.setLossDetectionTimer(nowMs);
  }

  /**
   * RFC 9002 Appendix A.5 OnPacketSent. `packetNumber` must increase within `space`. An ack-eliciting packet is
   * always in flight (§2); `inFlight` alone marks a PADDING-only packet. ACK-only packets are tracked too (not in
   * flight) so that acknowledging them reports `ackFrameLargestAcked` (RFC 9000 §13.2.4).
   * @param payload the connection's record of what the packet carried, returned when it is acked, lost or discarded
   * @param ackFrameLargestAcked Largest Acknowledged of the ACK frame in the packet, or -1 when it carries none
   * @param mtuProbe a path MTU probe (RFC 9000 §14.4): in flight, but its loss triggers no congestion reaction
   */
  onPacketSent(
    nowMs: number,
    space: PacketNumberSpace,
    packetNumber: number,
    sentBytes: number,
    ackEliciting: boolean,
    inFlight: boolean,
    payload: T,
    ackFrameLargestAcked = -1,
    mtuProbe = false,
  ): void {
    const store = this.spaces[space];
    if (store.full) store.pruneFront(nowMs, this.lostRetentionMs(), this.unackedMaxAgeMs());
    let flags = ackEliciting ? SentFlags.ACK_ELICITING | SentFlags.IN_FLIGHT : inFlight ? SentFlags.IN_FLIGHT : 0;
    if (mtuProbe) flags |= SentFlags.MTU_PROBE;
    store.push(packetNumber, nowMs, sentBytes, flags, payload, ackFrameLargestAcked);
    if (flags & SentFlags.IN_FLIGHT) {
      if (ackEliciting) {
        this.timeOfLastAckElicitingPacket[space] = nowMs;
        this.ackElicitingInFlight[space]++;
      }
      // Appendix B.4 OnPacketSentCC
      this.bytesInFlightValue += sentBytes;
      const info = this.info;
      info.packetNumber = packetNumber;
      info.sentBytes = sentBytes;
      info.timeSentMs = nowMs;
      this.controller.onPacketSent(nowMs, info, this.bytesInFlightValue);
      this.setLossDetectionTimer(nowMs);
    }
  }

  /**
   * RFC 9002 Appendix A.7 OnAckReceived for an ACK frame received in `space`.
   * @throws TransportError FRAME_ENCODING_ERROR for malformed ranges (RFC 9000 §19.3.1), PROTOCOL_VIOLATION when
   *   a packet number that was never sent is acknowledged (RFC 9000 §13.1). State is unchanged when it throws.
   */
  onAckReceived(nowMs: number, space: PacketNumberSpace, ack: ReceivedAck): LossDetectionResult<T> {
    const r = this.result.reset(space);
    const store = this.spaces[space];
    const { ranges, rangeCount } = ack;
    this.validateRanges(store, ranges, rangeCount);

    const largestInFrame = ranges[0];
    const previousLargest = this.largestAckedPacket[space];
    if (space === PacketNumberSpace.HANDSHAKE) this.receivedHandshakeAck = true;
    if (largestInFrame > previousLargest) this.largestAckedPacket[space] = largestInFrame;

    // DetectAndRemoveAckedPackets, lowest range first so payloads come out in ascending order.
    const ackedIdx = this.ackedIdx;
    let nAcked = 0;
    let newlyAcked = 0;
    let includesAckEliciting = false;
    let largestNewlyAcked = false;
    let largestTimeSent = 0;
    let spurious = false;
    for (let k = rangeCount - 1; k >= 0; k--) {
      const largest = ranges[2 * k];
      const smallest = ranges[2 * k + 1];
      const start = store.rangeStart(smallest, largest);
      if (start >= store.size) continue; // wholly forgotten
      const end = start + (largest - store.pnAt(start));
      // Only slots not yet acknowledged: cumulative ACK frames cover the same packets again and again.
      for (let i = store.nextLive(start); i <= end; i = store.nextLive(i + 1)) {
        const status = store.statusAt(i);
        if (status === SentStatus.OUTSTANDING) {
          const flags = store.flagsAt(i);
          newlyAcked++;
          if (flags & SentFlags.ACK_ELICITING) {
            includesAckEliciting = true;
            this.ackElicitingInFlight[space]--;
          }
          if (flags & SentFlags.IN_FLIGHT) ackedIdx[nAcked++] = i;
          const ackLargest = store.ackLargestAt(i);
          if (ackLargest > r.largestAckedAckFrame) r.largestAckedAckFrame = ackLargest;
          if (store.pnAt(i) === largestInFrame) {
            largestNewlyAcked = true;
            largestTimeSent = store.timeAt(i);
          }
          r.acked.push(store.markAcked(i));
        } else if (status === SentStatus.LOST) {
          // Declared lost earlier, delivered after all (RFC 9000 §13.3; RFC 9002 Appendix A.1).
          if (this.lossEpoch !== 0 && store.epochAt(i) === this.lossEpoch && --this.lossEpochOutstanding === 0) {
            spurious = true;
          }
          if (store.pnAt(i) === largestInFrame) largestTimeSent = store.timeAt(i); // for ECN (B.7)
          r.lateAcked.push(store.markAcked(i));
        }
      }
    }

    // Undo the previous reduction before any new congestion event of this ACK is applied.
    if (spurious) this.signalSpurious(nowMs, r);
    if (newlyAcked === 0) {
      // A.7: nothing newly acknowledged, nothing else to do.
      store.pruneFront(nowMs, this.lostRetentionMs());
      return r;
    }

    // RFC 9002 §5.1: sample only when the largest acknowledged is newly acknowledged and at least one newly
    // acknowledged packet is ack-eliciting.
    if (largestNewlyAcked && includesAckEliciting) {
      if (!this.rtt.hasSample) this.firstRttSampleMs = nowMs;
      // RFC 9002 §5.3: the ack delay of Initial ACKs is ignored (never delayed, RFC 9000 §13.2.1); the estimator
      // caps it at max_ack_delay once the handshake is confirmed.
      const ackDelay = space === PacketNumberSpace.INITIAL ? 0 : ack.ackDelayMs;
      this.rtt.update(nowMs - largestTimeSent, ackDelay, this.handshakeConfirmed, this.peerMaxAckDelay);
      r.rttSampled = true;
    }

    // RFC 9002 Appendix A.7 ProcessECN, for frames that increase the largest acknowledged (RFC 9000 §13.4.2.1).
    if (largestInFrame > previousLargest) this.processEcn(nowMs, space, ack.ecn, newlyAcked, largestTimeSent, r);

    this.detectAndRemoveLostPackets(nowMs, space, r);

    // Appendix B.5 OnPacketsAcked, after the losses as in A.7.
    const controller = this.controller;
    const info = this.info;
    for (let n = 0; n < nAcked; n++) {
      const i = ackedIdx[n];
      const bytes = store.bytesAt(i);
      this.bytesInFlightValue -= bytes;
      info.packetNumber = store.pnAt(i);
      info.sentBytes = bytes;
      info.timeSentMs = store.timeAt(i);
      controller.onPacketAcked(nowMs, info, this.rtt, this.bytesInFlightValue);
    }
    controller.onAckProcessed(nowMs, this.rtt, this.bytesInFlightValue, r.rttSampled);

    // A.7: reset pto_count unless the client is unsure the server validated its address.
    if (this.peerCompletedAddressValidation()) this.ptoCountValue = 0;
    store.pruneFront(nowMs, this.lostRetentionMs());
    this.setLossDetectionTimer(nowMs);
    return r;
  }

  /**
   * RFC 9002 Appendix A.9 OnLossDetectionTimeout. Does nothing before the deadline. Runs one action per call (the
   * time-threshold losses of one space, or one PTO); call again while {@link pollTimeout} is ≤ now.
   */
  handleTimeout(nowMs: number): LossDetectionResult<T> {
    const space = this.timerSpace;
    const r = this.result.reset(space);
    if (!(nowMs >= this.timerDeadline)) return r;
    const mode = this.timerModeValue;
    if (mode === LossTimerMode.LOSS_TIME) {
      this.detectAndRemoveLostPackets(nowMs, space, r);
      this.spaces[space].pruneFront(nowMs, this.lostRetentionMs());
      this.setLossDetectionTimer(nowMs);
      return r;
    }
    // PTO: the connection sends new data, else retransmits, else PING (§6.2.4). It is not a loss (§6.2).
    r.antiDeadlock = mode === LossTimerMode.ANTI_DEADLOCK;
    r.probeCount = r.antiDeadlock ? 1 : this.ptoProbeCount;
    this.ptoCountValue++;
    this.setLossDetectionTimer(nowMs);
    return r;
  }

  /**
   * RFC 9002 §6.4 / Appendix A.11 OnPacketNumberSpaceDiscarded: the keys of `space` are gone. Its packets leave
   * bytes in flight without congestion-controller hooks (Appendix B.9), its timers reset, and pto_count resets for
   * Initial and Handshake. ApplicationData may be discarded when 0-RTT is rejected (§6.4). Packet numbers keep
   * increasing in a discarded space; acknowledgments for the discarded ones are ignored.
   */
  discardSpace(nowMs: number, space: PacketNumberSpace): LossDetectionResult<T> {
    const r = this.result.reset(space);
    const store = this.spaces[space];
    for (let i = store.nextLive(store.cursor); i < store.size; i = store.nextLive(i + 1)) {
      if (store.statusAt(i) !== SentStatus.OUTSTANDING) continue;
      if (store.flagsAt(i) & SentFlags.IN_FLIGHT) this.bytesInFlightValue -= store.bytesAt(i);
      r.discarded.push(store.payloadAt(i) as T);
    }
    store.clear();
    this.ackElicitingInFlight[space] = 0;
    this.timeOfLastAckElicitingPacket[space] = 0;
    this.lossTime[space] = Infinity;
    if (space !== PacketNumberSpace.APPLICATION_DATA) this.ptoCountValue = 0;
    this.setLossDetectionTimer(nowMs);
    return r;
  }

  /**
   * The PTO period of `space` with the current backoff (RFC 9002 §6.2.1): smoothed_rtt + max(4·rttvar,
   * kGranularity), plus max_ack_delay for ApplicationData, times 2^pto_count.
   */
  ptoPeriodMs(space: PacketNumberSpace): number {
    const maxAckDelay = space === PacketNumberSpace.APPLICATION_DATA ? this.peerMaxAckDelay : 0;
    return this.rtt.ptoMs(maxAckDelay) * this.backoff();
  }

  private backoff(): number {
    return 2 ** Math.min(this.ptoCountValue, MAX_PTO_BACKOFF_EXPONENT);
  }

  /** RFC 9000 §19.3.1 range shape and RFC 9000 §13.1 "never sent", checked before any state changes. */
  private validateRanges(store: SentPacketStore<T>, ranges: ArrayLike<number>, rangeCount: number): void {
    if (!(rangeCount >= 1) || ranges.length < 2 * rangeCount) {
      throw new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, 'ACK frame without ranges');
    }
    let previousSmallest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < rangeCount; k++) {
      const largest = ranges[2 * k];
      const smallest = ranges[2 * k + 1];
      const wellFormed = Number.isSafeInteger(smallest) && Number.isSafeInteger(largest) && smallest >= 0;
      if (!(wellFormed && smallest <= largest && largest < previousSmallest)) {
        throw new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, `malformed ACK range ${k}`);
      }
      if (store.rangeStart(smallest, largest) < 0) {
        // RFC 9000 §13.1: acknowledging a packet that was never sent (also how skipped packet numbers catch an
        // optimistic ACK attack, RFC 9000 §21.4).
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'ACK of a packet number never sent');
      }
      previousSmallest = smallest;
    }
  }

  /**
   * RFC 9002 Appendix A.10 DetectAndRemoveLostPackets with B.8 OnPacketsLost (congestion event for the send time of
   * the largest lost packet, then persistent congestion §7.6).
   */
  private detectAndRemoveLostPackets(nowMs: number, space: PacketNumberSpace, r: LossDetectionResult<T>): void {
    const store = this.spaces[space];
    this.lossTime[space] = Infinity;
    const largestAcked = this.largestAckedPacket[space];
    if (largestAcked < 0) return;
    const rtt = this.rtt;
    // §6.1.2: kTimeThreshold · max(smoothed_rtt, latest_rtt), at least kGranularity.
    const lossDelay = rtt.lossDelayMs();
    const threshold = this.packetThreshold;
    // §7.6.1: persistent congestion duration, with max_ack_delay whatever the space.
    const pcDuration = rtt.ptoMs(this.peerMaxAckDelay) * PERSISTENT_CONGESTION_THRESHOLD;
    // §7.6.2 / B.8: only packets sent after the first RTT sample count.
    const pcFrom = rtt.hasSample ? this.firstRttSampleMs : Number.NaN;

    const lostIdx = this.lostIdx;
    let nLost = 0;
    let lostInFlight = 0;
    let lostBytes = 0;
    let probeBytes = 0;
    let largestLostTime = Number.NEGATIVE_INFINITY;
    let persistent = false;
    // Current run of lost ack-eliciting packets with no acknowledged packet between: its first index in lostIdx.
    let runStart = -1;

    const size = store.size;
    // Visits outstanding and earlier-lost slots only; a jump over acknowledged ones breaks a persistent congestion
    // run (§7.6.2: an acknowledged packet sent between two lost ones).
    for (let i = store.nextLive(store.cursor), next = 0; i < size; i = next) {
      next = store.nextLive(i + 1);
      const pn = store.pnAt(i);
      if (pn > largestAcked) break;
      if (store.statusAt(i) === SentStatus.LOST) {
        if (next !== i + 1) runStart = -1;
        continue;
      }
      const timeSent = store.timeAt(i);
      // §6.1.1 packet threshold, §6.1.2 time threshold. The comparison is written exactly as the loss timer's
      // deadline below (timeSent + lossDelay), so a timer firing at that deadline always finds the packet lost
      // (nowMs - lossDelay can round below timeSent with fractional times).
      if (timeSent + lossDelay <= nowMs || largestAcked >= pn + threshold) {
        const flags = store.flagsAt(i);
        lostIdx[nLost] = i;
        const probe = (flags & SentFlags.MTU_PROBE) !== 0;
        if (flags & SentFlags.IN_FLIGHT) {
          if (probe) {
            // RFC 9000 §14.4: a lost MTU probe leaves flight without a congestion reaction.
            probeBytes += store.bytesAt(i);
          } else {
            lostBytes += store.bytesAt(i);
            lostInFlight++;
            largestLostTime = timeSent;
          }
        }
        if (flags & SentFlags.ACK_ELICITING) {
          this.ackElicitingInFlight[space]--;
          if (!persistent && !probe && timeSent > pcFrom) {
            if (runStart < 0) runStart = nLost;
            else if (timeSent - store.timeAt(lostIdx[runStart]) > pcDuration) {
              runStart = this.checkOtherSpaces(space, store, runStart, nLost, timeSent, pcFrom);
              persistent = runStart >= 0 && timeSent - store.timeAt(lostIdx[runStart]) > pcDuration;
            }
          }
        }
        nLost++;
      } else {
        const t = timeSent + lossDelay;
        if (t < this.lossTime[space]) this.lossTime[space] = t;
      }
      if (next !== i + 1) runStart = -1;
    }
    if (nLost === 0) return;

    this.bytesInFlightValue -= lostBytes + probeBytes;
    if (lostInFlight > 0) {
      const before = this.controller.windowBytes;
      this.controller.onCongestionEvent(nowMs, largestLostTime, lostBytes, this.bytesInFlightValue);
      r.congestionEvent = true;
      if (this.controller.windowBytes < before) {
        // A new window reduction: spurious only if all of these turn out delivered.
        this.lossEpoch = ++this.epochCounter;
        this.lossEpochOutstanding = lostInFlight;
      } else if (this.lossEpoch !== 0) {
        // Same recovery period: these losses join the reduction already made.
        this.lossEpochOutstanding += lostInFlight;
      }
    }
    const epoch = this.lossEpoch;
    for (let n = 0; n < nLost; n++) {
      const i = lostIdx[n];
      const f = store.flagsAt(i);
      r.lost.push(store.markLost(i, nowMs, f & SentFlags.IN_FLIGHT && !(f & SentFlags.MTU_PROBE) ? epoch : 0));
    }
    store.advanceCursor();
    if (persistent) {
      // §7.6.2: collapse to the minimum window; §5.2: min_rtt restarts from the newest sample.
      this.controller.onPersistentCongestion(nowMs);
      this.rtt.resetMinRtt();
      r.persistentCongestion = true;
      this.lossEpoch = 0;
    }
  }

  /**
   * RFC 9002 §7.6.2: "across all packet number spaces, none of the packets sent between the send times of these two
   * packets are acknowledged". Finds the latest packet acknowledged in another space and sent strictly between the
   * run's first lost packet and `timeSent`; when there is one, the run restarts at its first eligible lost packet
   * sent after it. Returns the (possibly moved) run start, an index into lostIdx, or -1 for no run.
   */
  private checkOtherSpaces(
    space: number,
    store: SentPacketStore<T>,
    runStart: number,
    current: number,
    timeSent: number,
    pcFrom: number,
  ): number {
    const lostIdx = this.lostIdx;
    const t1 = store.timeAt(lostIdx[runStart]);
    let latestAcked = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < PACKET_NUMBER_SPACE_COUNT; s++) {
      if (s === space) continue;
      const a = this.latestAckedBetween(this.spaces[s], t1, timeSent);
      if (a > latestAcked) latestAcked = a;
    }
    if (latestAcked === Number.NEGATIVE_INFINITY) return runStart;
    for (let n = runStart; n <= current; n++) {
      const i = lostIdx[n];
      if (!(store.flagsAt(i) & SentFlags.ACK_ELICITING)) continue;
      const t = store.timeAt(i);
      if (t > latestAcked && t > pcFrom) return n;
    }
    return current;
  }

  /**
   * Send time of the latest acknowledged packet of `other` sent strictly between t1 and t2, or -Infinity. When
   * acknowledged packets of that period were already dropped from the ring, the answer is not known: it then
   * reports t2 (treated as acknowledged just before t2), which errs against declaring persistent congestion.
   */
  private latestAckedBetween(other: SentPacketStore<T>, t1: number, t2: number): number {
    if (other.droppedAckedMaxTimeMs > t1) return Math.min(other.droppedAckedMaxTimeMs, t2);
    const from = other.firstSentAfter(t1);
    let i = other.firstSentAfter(t2) - 1;
    for (; i >= from; i--) {
      const t = other.timeAt(i);
      if (t < t2 && other.statusAt(i) === SentStatus.ACKED) return t;
    }
    return Number.NEGATIVE_INFINITY;
  }

  /**
   * RFC 9002 Appendix B.7 ProcessECN with a minimal RFC 9000 §13.4.2.1 validation. Counts must not decrease; a
   * count for an ECT codepoint the connection never set fails validation; with ECT marking, the increase of
   * ECT + CE must cover the newly acknowledged packets (all assumed marked). A valid CE increase is a congestion
   * event for the send time of the largest acknowledged packet.
   */
  private processEcn(
    nowMs: number,
    space: PacketNumberSpace,
    ecn: EcnCounts | null | undefined,
    newlyAcked: number,
    largestTimeSent: number,
    r: LossDetectionResult<T>,
  ): void {
    if (this.ecnFailed) return;
    const marking = this.ecnCodepoint;
    if (!ecn) {
      // §13.4.2.1: newly acknowledged ECT-marked packets without ECN counts.
      if (marking !== EcnCodepoint.NOT_ECT) this.ecnFailed = true;
      return;
    }
    const last = this.ecnCounts[space];
    const dEct0 = ecn.ect0 - last.ect0;
    const dEct1 = ecn.ect1 - last.ect1;
    const dCe = ecn.ce - last.ce;
    if (
      dEct0 < 0 ||
      dEct1 < 0 ||
      dCe < 0 ||
      (ecn.ect0 > 0 && marking !== EcnCodepoint.ECT0) ||
      (ecn.ect1 > 0 && marking !== EcnCodepoint.ECT1) ||
      (marking === EcnCodepoint.ECT0 && dEct0 + dCe < newlyAcked) ||
      (marking === EcnCodepoint.ECT1 && dEct1 + dCe < newlyAcked)
    ) {
      this.ecnFailed = true; // §13.4.2.2: stop using ECN on this path
      return;
    }
    last.ect0 = ecn.ect0;
    last.ect1 = ecn.ect1;
    last.ce = ecn.ce;
    if (dCe > 0) {
      const before = this.controller.windowBytes;
      this.controller.onCongestionEvent(nowMs, largestTimeSent, 0, this.bytesInFlightValue);
      r.ecnCongestionEvent = true;
      if (this.controller.windowBytes < before) this.lossEpoch = 0; // a real signal: nothing to undo
    }
  }

  private signalSpurious(nowMs: number, r: LossDetectionResult<T>): void {
    this.lossEpoch = 0;
    this.controller.onSpuriousCongestion(nowMs);
    r.spuriousCongestion = true;
  }

  /** Appendix A.8 PeerCompletedAddressValidation. */
  private peerCompletedAddressValidation(): boolean {
    // Servers assume the client validated their address; a client knows once a Handshake ACK arrived or the
    // handshake is confirmed.
    return this.isServer || this.receivedHandshakeAck || this.handshakeConfirmed;
  }

  /** Appendix A.8 SetLossDetectionTimer. */
  private setLossDetectionTimer(nowMs: number): void {
    // GetLossTimeAndSpace
    let lossTime = Infinity;
    let lossSpace: PacketNumberSpace = PacketNumberSpace.INITIAL;
    for (let s = 0; s < PACKET_NUMBER_SPACE_COUNT; s++) {
      if (this.lossTime[s] < lossTime) {
        lossTime = this.lossTime[s];
        lossSpace = s as PacketNumberSpace;
      }
    }
    if (lossTime !== Infinity) {
      this.arm(lossTime, LossTimerMode.LOSS_TIME, lossSpace);
      return;
    }
    if (this.amplificationBlocked) {
      // §6.2.2.1: the server's timer is not set if nothing can be sent.
      this.arm(Infinity, LossTimerMode.NONE, PacketNumberSpace.INITIAL);
      return;
    }
    const inFlight = this.ackElicitingInFlight;
    const anyInFlight = inFlight[0] + inFlight[1] + inFlight[2] > 0;
    if (!anyInFlight && this.peerCompletedAddressValidation()) {
      this.arm(Infinity, LossTimerMode.NONE, PacketNumberSpace.INITIAL);
      return;
    }
    this.armPto(nowMs, anyInFlight);
  }

  /** Appendix A.8 GetPtoTimeAndSpace, then arms the timer. */
  private armPto(nowMs: number, anyInFlight: boolean): void {
    const backoff = this.backoff();
    let duration = this.rtt.ptoMs(0) * backoff;
    if (anyInFlight) {
      let timeout = Infinity;
      let ptoSpace: PacketNumberSpace = PacketNumberSpace.INITIAL;
      for (let s = 0; s < PACKET_NUMBER_SPACE_COUNT; s++) {
        if (this.ackElicitingInFlight[s] === 0) continue;
        if (s === PacketNumberSpace.APPLICATION_DATA) {
          // §6.2.1: no ApplicationData PTO before the handshake is confirmed; after, it includes max_ack_delay.
          if (!this.handshakeConfirmed) break;
          duration += this.peerMaxAckDelay * backoff;
        }
        const t = this.timeOfLastAckElicitingPacket[s] + duration;
        if (t < timeout) {
          timeout = t;
          ptoSpace = s as PacketNumberSpace;
        }
      }
      // §6.2.2.1: a client MUST arm the PTO until the server validated its address "even if there are no packets
      // in flight" — also when only ApplicationData (0-RTT) packets are, which the pseudocode would leave unarmed.
      if (timeout !== Infinity || this.peerCompletedAddressValidation()) {
        this.arm(timeout, timeout === Infinity ? LossTimerMode.NONE : LossTimerMode.PTO, ptoSpace);
        return;
      }
      duration = this.rtt.ptoMs(0) * backoff;
    }
    // Anti-deadlock PTO: starts from now; Handshake if its keys exist, else Initial.
    const space = this.hasHandshakeKeys ? PacketNumberSpace.HANDSHAKE : PacketNumberSpace.INITIAL;
    this.arm(nowMs + duration, LossTimerMode.ANTI_DEADLOCK, space);
  }

  private arm(deadline: number, mode: LossTimerMode, space: PacketNumberSpace): void {
    this.timerDeadline = deadline;
    this.timerModeValue = mode;
    this.timerSpace = space;
  }

  /** How long lost packets stay recognizable for a late acknowledgment: one PTO (RFC 9000 §13.3). */
  private lostRetentionMs(): number {
    return this.rtt.ptoMs(this.peerMaxAckDelay);
  }

  private unackedMaxAgeMs(): number {
    return this.rtt.ptoMs(this.peerMaxAckDelay) * UNACKED_NON_ELICITING_MAX_AGE_PTOS;
  }
}
