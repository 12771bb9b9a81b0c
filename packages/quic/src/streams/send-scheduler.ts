import { type HeapNode, MinHeap } from '@fos/core';

/** RFC 9218 §4.1: urgency 0 (highest) to 7 (lowest); the default is 3. */
export const DEFAULT_URGENCY = 3;
/** Number of urgency levels (RFC 9218 §4.1). */
export const URGENCY_LEVELS = 8;

/** A heap node that points back to its entry. */
class EntryNode implements HeapNode {
  key = 0;
  seq = 0;
  heapIndex = -1;
  constructor(readonly entry: SchedulerEntry) {}
}

/**
 * A stream's place in the {@link SendScheduler}: created once per stream, reused for its whole life (no allocation
 * per scheduling decision).
 */
export class SchedulerEntry {
  /** RFC 9218 §4.1 urgency (0-7). */
  urgency: number;
  /** RFC 9218 §4.2 incremental: share bandwidth round-robin with peers of the same urgency. */
  incremental: boolean;
  /** @internal node in the retransmission heap (key = urgency, seq = arrival order). */
  readonly urgentNode: EntryNode;
  /** @internal node in a level's non-incremental heap (key = stream ID). */
  readonly orderNode: EntryNode;
  /** @internal round-robin ring links (incremental streams). */
  prev: SchedulerEntry | undefined;
  next: SchedulerEntry | undefined;
  /** @internal whether the entry is in the new-data structures, and at which urgency. */
  activeLevel = -1;

  constructor(
    readonly streamId: number,
    urgency = DEFAULT_URGENCY,
    incremental = true,
  ) {
    this.urgency = urgency;
    this.incremental = incremental;
    this.urgentNode = new EntryNode(this);
    this.orderNode = new EntryNode(this);
    this.orderNode.key = streamId;
  }
}

/** One urgency level: a round-robin ring of incremental streams and a stream-ID-ordered heap of the others. */
class Level {
  ring: SchedulerEntry | undefined;
  ringSize = 0;
  readonly ordered = new MinHeap<EntryNode>();
  /** Alternates between the two classes when both have streams (RFC 9218 §10: avoid starvation). */
  preferIncremental = true;

  get size(): number {
    return this.ringSize + this.ordered.size;
  }
}

/**
 * Chooses which stream sends next (RFC 9000 §2.3, §13.3; RFC 9218 §10).
 *
 * 1. Retransmissions (and FIN-only frames, which need no credit) come first (RFC 9000 §13.3), by urgency, then in
 *    the order they became due.
 * 2. New data by urgency, lowest value first. Within a level, incremental streams share bandwidth round-robin (one
 *    frame each, RFC 9218 §10), non-incremental ones are served one at a time in ascending stream ID (RFC 9218 §10:
 *    "in ascending order of the stream ID"); when both kinds are present they alternate frame by frame so neither
 *    starves.
 *
 * The transport's default is incremental at urgency 3 — plain round-robin — so streams share fairly unless the
 * application (e.g. HTTP/3 with RFC 9218 signals) says otherwise.
 */
export class SendScheduler {
  private readonly urgent = new MinHeap<EntryNode>();
  /** Urgency levels, created on first use (most connections use one or two). */
  private readonly levels: (Level | undefined)[] = new Array(URGENCY_LEVELS);
  private urgentSeq = 0;
  private newCount = 0;

  /** Whether any stream has retransmissions (or a FIN-only frame) due. */
  get hasUrgent(): boolean {
    return this.urgent.size > 0;
  }

  /** Whether any stream has new data it may send (stream credit permitting). */
  get hasNew(): boolean {
    return this.newCount > 0;
  }

  /** Adds or removes `entry` from the retransmission queue. */
  setUrgent(entry: SchedulerEntry, due: boolean): void {
    const node = entry.urgentNode;
    if (due) {
      if (node.heapIndex >= 0) return;
      node.key = entry.urgency;
      node.seq = this.urgentSeq++;
      this.urgent.push(node);
    } else if (node.heapIndex >= 0) {
      this.urgent.remove(node);
    }
  }

  /** Adds or removes `entry` from the new-data structures. */
  setNew(entry: SchedulerEntry, ready: boolean): void {
    if (ready === entry.activeLevel >= 0) return;
    if (ready) {
      let level = this.levels[entry.urgency];
      if (level === undefined) {
        level = new Level();
        this.levels[entry.urgency] = level;
      }
      entry.activeLevel = entry.urgency;
      this.newCount++;
      if (entry.incremental) {
        // Append at the tail of the ring (just before the head).
        const head = level.ring;
        if (head === undefined) {
          entry.prev = entry;
          entry.next = entry;
          level.ring = entry;
        } else {
          const tail = head.prev!;
          entry.prev = tail;
          entry.next = head;
          tail.next = entry;
          head.prev = entry;
        }
        level.ringSize++;
      } else {
        level.ordered.push(entry.orderNode);
      }
    } else {
      const level = this.levels[entry.activeLevel]!;
      entry.activeLevel = -1;
      this.newCount--;
      if (entry.orderNode.heapIndex >= 0) {
        level.ordered.remove(entry.orderNode);
      } else {
        if (entry.next === entry) {
          level.ring = undefined;
        } else {
          entry.prev!.next = entry.next;
          entry.next!.prev = entry.prev;
          if (level.ring === entry) level.ring = entry.next;
        }
        entry.prev = undefined;
        entry.next = undefined;
        level.ringSize--;
      }
    }
  }

  /** The stream whose retransmission goes first, if any. */
  peekUrgent(): SchedulerEntry | undefined {
    return this.urgent.peek()?.entry;
  }

  /** The stream whose new data goes next, if any. */
  peekNew(): SchedulerEntry | undefined {
    if (this.newCount === 0) return undefined;
    const levels = this.levels;
    for (let u = 0; u < URGENCY_LEVELS; u++) {
      const level = levels[u];
      if (level === undefined || level.size === 0) continue;
      const ordered = level.ordered.peek();
      if (level.ring !== undefined && (ordered === undefined || level.preferIncremental)) return level.ring;
      return ordered!.entry;
    }
    return undefined;
  }

  /** `entry` just sent a frame of new data: rotate its level (round-robin and the class alternation). */
  servedNew(entry: SchedulerEntry): void {
    if (entry.activeLevel < 0) return;
    const level = this.levels[entry.activeLevel]!;
    if (entry.incremental) {
      if (level.ring === entry) level.ring = entry.next;
      level.preferIncremental = false;
    } else {
      level.preferIncremental = true;
    }
  }

  /** Changes the priority of `entry` (RFC 9218 §4), repositioning it if queued. */
  setPriority(entry: SchedulerEntry, urgency: number, incremental: boolean): void {
    const wasNew = entry.activeLevel >= 0;
    const wasUrgent = entry.urgentNode.heapIndex >= 0;
    if (wasNew) this.setNew(entry, false);
    entry.urgency = urgency;
    entry.incremental = incremental;
    if (wasNew) this.setNew(entry, true);
    if (wasUrgent) {
      entry.urgentNode.key = urgency;
      this.urgent.update(entry.urgentNode);
    }
  }

  /** Removes `entry` from everything (stream reset or released). */
  remove(entry: SchedulerEntry): void {
    this.setUrgent(entry, false);
    this.setNew(entry, false);
  }
}
