// RFC 9002 Appendix A.1: the sent packets of one packet number space, kept until acknowledged or declared lost.

/** Per-packet flags (RFC 9002 Appendix A.1.1). */
export const SentFlags = {
  /** The packet contains an ack-eliciting frame (RFC 9002 §2). */
  ACK_ELICITING: 1,
  /** The packet counts toward bytes in flight: ack-eliciting or PADDING (RFC 9002 §2). */
  IN_FLIGHT: 2,
  /** A path MTU probe: its loss says nothing about congestion (RFC 9000 §14.4). */
  MTU_PROBE: 4,
} as const;

/** Where a tracked packet is in its life. */
export const SentStatus = {
  /** Sent, neither acknowledged nor declared lost. */
  OUTSTANDING: 0,
  /** Acknowledged; the slot stays until the front of the ring passes it (persistent congestion needs it). */
  ACKED: 1,
  /**
   * Declared lost and no longer in flight, kept for a while so that a late acknowledgment can still be recognized
   * as a spurious loss (RFC 9002 Appendix A.1, RFC 9000 §13.3).
   */
  LOST: 2,
} as const;
export type SentStatus = (typeof SentStatus)[keyof typeof SentStatus];

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);

/**
 * The sent packets of one packet number space, in send order, on a growable ring of parallel typed arrays (one
 * slot per sent packet; packet numbers increase but may skip, RFC 9000 §12.3). Packet numbers and send times are
 * non-decreasing along the ring, so lookups are binary searches and scans are sequential.
 *
 * Slots are addressed by logical index `i` (0 = oldest tracked). Acknowledged and lost slots remain until they
 * reach the front; a cursor remembers the first outstanding slot so loss detection never rescans resolved ones.
 * Storage is allocated on the first packet and released by {@link clear}; an idle space holds no arrays.
 *
 * Internal to the recovery module: the loss detector drives it.
 */
export class SentPacketStore<T> {
  private pn: Float64Array = EMPTY_F64;
  private timeSent: Float64Array = EMPTY_F64;
  /** Time declared lost (status LOST). */
  private lostAt: Float64Array = EMPTY_F64;
  /** Largest Acknowledged of the ACK frame the packet carried, or -1 (RFC 9000 §13.2.4). */
  private ackLargest: Float64Array = EMPTY_F64;
  private bytes: Int32Array = EMPTY_I32;
  /** Congestion event the loss belonged to (status LOST), for spurious-loss detection. */
  private epoch: Int32Array = EMPTY_I32;
  /**
   * For an acknowledged slot, a forward distance (≥ 1) toward the next slot that is not acknowledged; 0 for live
   * slots. Path-compressed by {@link nextLive}, so scans skip runs of acknowledged slots in amortized O(1).
   */
  private jump: Int32Array = EMPTY_I32;
  private flags: Uint8Array = EMPTY_U8;
  private status: Uint8Array = EMPTY_U8;
  private payloads: (T | undefined)[] = [];
  private mask = -1;
  private head = 0;
  private count = 0;
  private firstOutstanding = 0;

  /** Largest packet number ever sent in this space, -1 before the first. */
  largestSent = -1;
  /**
   * Packet numbers below this are no longer tracked (acknowledged, lost long ago, or discarded with their keys):
   * an acknowledgment for one is ignored. At or above it and at most {@link largestSent}, a packet number without a
   * slot was never sent.
   */
  forgottenBelow = 0;
  /** Latest send time among acknowledged packets dropped from the front (persistent congestion across spaces). */
  droppedAckedMaxTimeMs = Number.NEGATIVE_INFINITY;
  /** Non-ack-eliciting, not-in-flight packets forgotten unacknowledged by {@link pruneFront}'s age limit. */
  forgottenUnacked = 0;

  /** @param initialCapacity slots allocated on the first packet (a power of two; the ring doubles when full). */
  constructor(private readonly initialCapacity = 16) {
    if (!(initialCapacity >= 1 && (initialCapacity & (initialCapacity - 1)) === 0)) {
      throw new RangeError(`initialCapacity ${initialCapacity} is not a power of two`);
    }
  }

  /** Number of tracked slots (outstanding, acknowledged-but-not-yet-dropped, and retained lost). */
  get size(): number {
    return this.count;
  }

  /** Logical index of the first outstanding slot, or {@link size} when none is outstanding. */
  get cursor(): number {
    return this.firstOutstanding;
  }

  /** Appends a sent packet. `packetNumber` must exceed every packet number sent before in this space. */
  push(
    packetNumber: number,
    timeSentMs: number,
    sentBytes: number,
    flags: number,
    payload: T,
    ackLargest: number,
  ): void {
    if (!(packetNumber > this.largestSent) || !Number.isSafeInteger(packetNumber)) {
      throw new RangeError(`packet number ${packetNumber} does not increase (largest sent ${this.largestSent})`);
    }
    if (this.count === this.mask + 1) this.grow();
    const s = (this.head + this.count) & this.mask;
    this.pn[s] = packetNumber;
    this.timeSent[s] = timeSentMs;
    this.lostAt[s] = 0;
    this.ackLargest[s] = ackLargest;
    this.bytes[s] = sentBytes;
    this.epoch[s] = 0;
    this.jump[s] = 0;
    this.flags[s] = flags;
    this.status[s] = SentStatus.OUTSTANDING;
    this.payloads[s] = payload;
    this.count++;
    this.largestSent = packetNumber;
  }

  /** Whether the ring is full (the next {@link push} grows it). */
  get full(): boolean {
    return this.count === this.mask + 1;
  }

  pnAt(i: number): number {
    return this.pn[(this.head + i) & this.mask];
  }
  timeAt(i: number): number {
    return this.timeSent[(this.head + i) & this.mask];
  }
  bytesAt(i: number): number {
    return this.bytes[(this.head + i) & this.mask];
  }
  flagsAt(i: number): number {
    return this.flags[(this.head + i) & this.mask];
  }
  statusAt(i: number): SentStatus {
    return this.status[(this.head + i) & this.mask] as SentStatus;
  }
  ackLargestAt(i: number): number {
    return this.ackLargest[(this.head + i) & this.mask];
  }
  epochAt(i: number): number {
    return this.epoch[(this.head + i) & this.mask];
  }
  payloadAt(i: number): T | undefined {
    return this.payloads[(this.head + i) & this.mask];
  }

  /** Marks slot `i` acknowledged and returns its payload (released from the slot). */
  markAcked(i: number): T {
    const s = (this.head + i) & this.mask;
    this.status[s] = SentStatus.ACKED;
    this.jump[s] = 1;
    const p = this.payloads[s] as T;
    this.payloads[s] = undefined;
    return p;
  }

  /** Marks slot `i` lost at `nowMs` in congestion `epoch`; the payload stays for a late acknowledgment. */
  markLost(i: number, nowMs: number, epoch: number): T {
    const s = (this.head + i) & this.mask;
    this.status[s] = SentStatus.LOST;
    this.lostAt[s] = nowMs;
    this.epoch[s] = epoch;
    return this.payloads[s] as T;
  }

  /**
   * Logical index of the first slot at or after `i` that is not acknowledged (outstanding or lost), or
   * {@link size}. Compresses the path it followed.
   */
  nextLive(i: number): number {
    const count = this.count;
    const head = this.head;
    const mask = this.mask;
    const jump = this.jump;
    let j = i;
    while (j < count) {
      const d = jump[(head + j) & mask];
      if (d === 0) break;
      j += d;
    }
    if (j > count) j = count;
    // Path compression: every acknowledged slot visited now points at the target.
    let k = i;
    while (k < j) {
      const s = (head + k) & mask;
      const d = jump[s];
      jump[s] = j - k;
      k += d;
    }
    return j;
  }

  /** Moves the outstanding cursor past resolved slots. */
  advanceCursor(): void {
    let c = this.nextLive(this.firstOutstanding);
    while (c < this.count && this.status[(this.head + c) & this.mask] !== SentStatus.OUTSTANDING) {
      c = this.nextLive(c + 1);
    }
    this.firstOutstanding = c;
  }

  /**
   * Logical index of the first slot whose packet number is ≥ `packetNumber`. Packet numbers are increasing
   * integers, so that index is at most `packetNumber` − the first one: when no number was skipped in between the
   * guess is exact (O(1)); otherwise a binary search below it.
   */
  lowerBound(packetNumber: number): number {
    const count = this.count;
    if (count === 0) return 0;
    const guess = packetNumber - this.pn[this.head];
    if (guess <= 0) return 0;
    if (guess < count && this.pn[(this.head + guess) & this.mask] === packetNumber) return guess;
    let lo = 0;
    let hi = guess < count ? guess + 1 : count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pn[(this.head + mid) & this.mask] < packetNumber) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Logical index of the first slot sent strictly after `timeMs` (binary search). */
  firstSentAfter(timeMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeSent[(this.head + mid) & this.mask] <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whether every packet number in [`smallest`, `largest`] (clamped below at {@link forgottenBelow}) has a slot.
   * A number without one was never sent (RFC 9000 §13.1). Returns the logical index of `smallest`'s slot, the
   * size when the whole range is forgotten, or -1 when some number was never sent.
   */
  rangeStart(smallest: number, largest: number): number {
    if (largest > this.largestSent) return -1;
    const lo = Math.max(smallest, this.forgottenBelow);
    if (lo > largest) return this.count;
    const i = this.lowerBound(lo);
    const j = i + (largest - lo);
    // Packet numbers strictly increase along the ring: the range is complete iff both ends sit where expected.
    if (j >= this.count || this.pnAt(i) !== lo || this.pnAt(j) !== largest) return -1;
    return i;
  }

  /**
   * Drops resolved slots from the front: acknowledged ones, lost ones declared at least `lostRetentionMs` ago, and
   * (when `unackedMaxAgeMs` is finite) outstanding packets that are neither ack-eliciting nor in flight and were
   * sent at least that long ago — the peer never has to acknowledge those (RFC 9000 §13.2.1), so only an age limit
   * bounds them (counted in {@link forgottenUnacked}).
   */
  pruneFront(nowMs: number, lostRetentionMs: number, unackedMaxAgeMs = Number.POSITIVE_INFINITY): void {
    while (this.count > 0) {
      const s = this.head;
      const st = this.status[s];
      if (st === SentStatus.ACKED) {
        if (this.timeSent[s] > this.droppedAckedMaxTimeMs) this.droppedAckedMaxTimeMs = this.timeSent[s];
      } else if (st === SentStatus.LOST) {
        if (this.lostAt[s] + lostRetentionMs > nowMs) break;
      } else if (this.flags[s] === 0 && this.timeSent[s] + unackedMaxAgeMs <= nowMs) {
        this.forgottenUnacked++;
      } else {
        break;
      }
      this.forgottenBelow = this.pn[s] + 1;
      this.payloads[s] = undefined;
      this.head = (s + 1) & this.mask;
      this.count--;
      if (this.firstOutstanding > 0) this.firstOutstanding--;
    }
    if (this.count === 0) {
      this.head = 0;
      this.firstOutstanding = 0;
      this.forgottenBelow = this.largestSent + 1;
    } else {
      this.advanceCursor();
    }
  }

  /** Forgets every slot and releases the storage (RFC 9002 §6.4). Packet numbers keep increasing afterwards. */
  clear(): void {
    this.pn = EMPTY_F64;
    this.timeSent = EMPTY_F64;
    this.lostAt = EMPTY_F64;
    this.ackLargest = EMPTY_F64;
    this.bytes = EMPTY_I32;
    this.epoch = EMPTY_I32;
    this.jump = EMPTY_I32;
    this.flags = EMPTY_U8;
    this.status = EMPTY_U8;
    this.payloads = [];
    this.mask = -1;
    this.head = 0;
    this.count = 0;
    this.firstOutstanding = 0;
    this.forgottenBelow = this.largestSent + 1;
  }

  private grow(): void {
    const oldCap = this.mask + 1;
    const cap = oldCap === 0 ? this.initialCapacity : oldCap * 2;
    const pn = new Float64Array(cap);
    const timeSent = new Float64Array(cap);
    const lostAt = new Float64Array(cap);
    const ackLargest = new Float64Array(cap);
    const bytes = new Int32Array(cap);
    const epoch = new Int32Array(cap);
    const jump = new Int32Array(cap);
    const flags = new Uint8Array(cap);
    const status = new Uint8Array(cap);
    const payloads: (T | undefined)[] = new Array(cap);
    for (let i = 0; i < this.count; i++) {
      const s = (this.head + i) & this.mask;
      pn[i] = this.pn[s];
      timeSent[i] = this.timeSent[s];
      lostAt[i] = this.lostAt[s];
      ackLargest[i] = this.ackLargest[s];
      bytes[i] = this.bytes[s];
      epoch[i] = this.epoch[s];
      jump[i] = this.jump[s];
      flags[i] = this.flags[s];
      status[i] = this.status[s];
      payloads[i] = this.payloads[s];
    }
    this.pn = pn;
    this.timeSent = timeSent;
    this.lostAt = lostAt;
    this.ackLargest = ackLargest;
    this.bytes = bytes;
    this.epoch = epoch;
    this.jump = jump;
    this.flags = flags;
    this.status = status;
    this.payloads = payloads;
    this.mask = cap - 1;
    this.head = 0;
  }
}
