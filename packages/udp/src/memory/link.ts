import { type Seed, SeededRandom } from '../random/seeded-random.js';
import { DelayHistogram, type DelaySummary } from './delay-histogram.js';
import { DepartureQueue } from './departure-queue.js';
import {
  type LinkConditions,
  type ResolvedLinkConditions,
  resolveLinkConditions,
  type TimeWindow,
} from './link-conditions.js';

/** Why the network dropped a datagram. */
export const DropCause = {
  /** iid random loss (`lossRate`). */
  LOSS: 'loss',
  /** Gilbert–Elliott burst loss (`burstLoss`). */
  BURST: 'burst',
  /** Larger than the link's `mtu`. */
  MTU: 'mtu',
  /** Tail drop at the bottleneck queue (`queueBytes`). */
  QUEUE: 'queue',
  /** Sent during a blackhole window. */
  BLACKHOLE: 'blackhole',
  /** Arrived at a port nobody is bound to (decided on arrival). */
  UNBOUND: 'unbound',
} as const;
export type DropCause = (typeof DropCause)[keyof typeof DropCause];

/** Counters of one direction of a link. */
export interface LinkStats {
  readonly from: string;
  readonly to: string;
  /** Datagrams sent on the link (originals; duplicates are not counted here). */
  readonly sent: number;
  readonly bytesSent: number;
  /** Copies handed to a bound socket (duplicates included). */
  readonly delivered: number;
  readonly bytesDelivered: number;
  /** Drops by cause. */
  readonly drops: Readonly<Record<DropCause, number>>;
  /** Sum of `drops`. */
  readonly dropped: number;
  readonly duplicated: number;
  readonly corrupted: number;
  readonly reordered: number;
  /** Bytes in the bottleneck queue now (0 without a rate limit). */
  readonly queueBytes: number;
  /** Highest queue occupancy seen, bytes (including the datagram just admitted). */
  readonly queueMaxBytes: number;
  /** Time datagrams waited in the bottleneck queue before their serialization started. */
  readonly queueingDelay: DelaySummary;
}

function emptyDrops(): Record<DropCause, number> {
  return { loss: 0, burst: 0, mtu: 0, queue: 0, blackhole: 0, unbound: 0 };
}

/**
 * One direction of a link: its conditions, its own PRNG stream (derived from the network seed and the two host
 * names, so traffic elsewhere never shifts its randomness), the Gilbert–Elliott state, the bottleneck queue and
 * the counters. `admit()` decides a datagram's fate and writes the outcome into the `out*` fields (no allocation).
 */
export class Link {
  conditions: ResolvedLinkConditions;
  readonly rng: SeededRandom;

  // Outputs of the last successful admit().
  /** When the (original) datagram arrives. */
  outDeliverAt = 0;
  /** Time spent waiting in the bottleneck queue. */
  outQueueDelay = 0;
  outReordered = false;
  /** Whether a duplicate copy is delivered too (at the same time, right after the original). */
  outDuplicate = false;
  /** The bit to flip in the original (index into the datagram's bits), or -1. */
  outCorruptBit = -1;
  /** The bit to flip in the duplicate, or -1. */
  outDuplicateCorruptBit = -1;

  private geBad = false;
  private readonly queue = new DepartureQueue();
  private busyUntil = Number.NEGATIVE_INFINITY;
  private lastInOrderAt = Number.NEGATIVE_INFINITY;
  private runtimeBlackholes: TimeWindow[] = [];

  private sent = 0;
  private bytesSent = 0;
  private delivered = 0;
  private bytesDelivered = 0;
  private readonly drops = emptyDrops();
  private duplicated = 0;
  private corrupted = 0;
  private reordered = 0;
  private queueMaxBytes = 0;
  private readonly queueingDelay = new DelayHistogram();

  constructor(
    readonly from: string,
    readonly to: string,
    seed: Seed,
    conditions: ResolvedLinkConditions,
  ) {
    this.rng = SeededRandom.derive(seed, 'link', from, to);
    this.conditions = conditions;
  }

  /** Applies a patch (see `LinkConditions`); takes effect for datagrams sent from now on. */
  update(patch: LinkConditions): void {
    this.conditions = resolveLinkConditions(patch, this.conditions);
  }

  /** Drops everything sent in [now, now + durationMs). */
  addBlackhole(now: number, durationMs: number): void {
    if (!(durationMs >= 0)) throw new RangeError(`blackhole duration must be ≥ 0, got ${durationMs}`);
    this.runtimeBlackholes = this.runtimeBlackholes.filter((w) => w.endMs > now);
    this.runtimeBlackholes.push({ startMs: now, endMs: now + durationMs });
  }

  /**
   * Decides the fate of a datagram of `size` bytes sent at `now`. Returns the drop cause, or undefined when it
   * will be delivered (then the `out*` fields describe how).
   */
  admit(now: number, size: number): DropCause | undefined {
    const c = this.conditions;
    const rng = this.rng;
    this.sent++;
    this.bytesSent += size;

    if (this.inBlackhole(now, c.blackholes)) return this.drop(DropCause.BLACKHOLE);
    if (size > c.mtu) return this.drop(DropCause.MTU);

    const ge = c.burstLoss;
    if (ge !== undefined) {
      // Advance the chain, then lose with the probability of the state it is in.
      if (this.geBad) {
        if (rng.chance(ge.r)) this.geBad = false;
      } else if (rng.chance(ge.p)) {
        this.geBad = true;
      }
      if (rng.chance(this.geBad ? ge.lossBad : ge.lossGood)) return this.drop(DropCause.BURST);
    }
    if (rng.chance(c.lossRate)) return this.drop(DropCause.LOSS);

    let departAt = now;
    let queueDelay = 0;
    if (c.rateBps !== Number.POSITIVE_INFINITY) {
      const queue = this.queue;
      queue.drain(now);
      if (queue.bytes + size > c.queueBytes) return this.drop(DropCause.QUEUE);
      const start = Math.max(this.busyUntil, now);
      departAt = start + (size * 8000) / c.rateBps; // serialization: size·8 bits at rateBps, in ms
      this.busyUntil = departAt;
      queue.push(departAt, size);
      if (queue.bytes > this.queueMaxBytes) this.queueMaxBytes = queue.bytes;
      queueDelay = start - now;
      this.queueingDelay.record(queueDelay);
    }

    let deliverAt = departAt + c.delayMs;
    if (c.jitterMs > 0) deliverAt += rng.next() * c.jitterMs;
    const reordered = c.reorderRate > 0 && rng.chance(c.reorderRate);
    if (reordered) {
      // Held back, outside the FIFO order: later datagrams may overtake it.
      deliverAt += c.reorderDelayMs;
      this.reordered++;
    } else if (!c.jitterReorders) {
      if (deliverAt < this.lastInOrderAt) deliverAt = this.lastInOrderAt;
      this.lastInOrderAt = deliverAt;
    }

    const duplicate = c.duplicateRate > 0 && rng.chance(c.duplicateRate);
    let corruptBit = -1;
    let duplicateCorruptBit = -1;
    if (c.corruptRate > 0 && size > 0) {
      if (rng.chance(c.corruptRate)) corruptBit = rng.nextInt(size * 8);
      if (duplicate && rng.chance(c.corruptRate)) duplicateCorruptBit = rng.nextInt(size * 8);
    }
    if (duplicate) this.duplicated++;
    if (corruptBit >= 0) this.corrupted++;
    if (duplicateCorruptBit >= 0) this.corrupted++;

    this.outDeliverAt = deliverAt;
    this.outQueueDelay = queueDelay;
    this.outReordered = reordered;
    this.outDuplicate = duplicate;
    this.outCorruptBit = corruptBit;
    this.outDuplicateCorruptBit = duplicateCorruptBit;
    return undefined;
  }

  /** A copy reached a bound socket. */
  countDelivered(size: number): void {
    this.delivered++;
    this.bytesDelivered += size;
  }

  /** A copy reached a port nobody is bound to. */
  countUnbound(): void {
    this.drops.unbound++;
  }

  stats(now: number): LinkStats {
    this.queue.drain(now);
    const drops = { ...this.drops };
    let dropped = 0;
    for (const k of Object.values(DropCause)) dropped += drops[k];
    return {
      from: this.from,
      to: this.to,
      sent: this.sent,
      bytesSent: this.bytesSent,
      delivered: this.delivered,
      bytesDelivered: this.bytesDelivered,
      drops,
      dropped,
      duplicated: this.duplicated,
      corrupted: this.corrupted,
      reordered: this.reordered,
      queueBytes: this.queue.bytes,
      queueMaxBytes: this.queueMaxBytes,
      queueingDelay: this.queueingDelay.summary(),
    };
  }

  private drop(cause: DropCause): DropCause {
    this.drops[cause]++;
    return cause;
  }

  private inBlackhole(now: number, configured: readonly TimeWindow[]): boolean {
    for (let i = 0; i < configured.length; i++) {
      if (now >= configured[i].startMs && now < configured[i].endMs) return true;
    }
    const runtime = this.runtimeBlackholes;
    for (let i = 0; i < runtime.length; i++) {
      if (now >= runtime[i].startMs && now < runtime[i].endMs) return true;
    }
    return false;
  }
}
