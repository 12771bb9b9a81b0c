// The encoder's record of the field sections it sent that reference the dynamic table, until the decoder
// acknowledges or cancels them (RFC 9204 §2.1.1, §2.1.2, §2.1.4, §4.4).

import type { EncoderTable } from './encoder-table.js';
import { QpackDecoderStreamError } from './errors.js';

interface SentSection {
  readonly requiredInsertCount: number;
  /** Distinct absolute indices the section references (each holds one reference count). */
  readonly refs: readonly number[];
}

interface StreamSections {
  /** Unacknowledged sections with a non-zero Required Insert Count, oldest first. */
  readonly sections: SentSection[];
  maxRequiredInsertCount: number;
}

/**
 * Tracks unacknowledged field sections per stream: the table references each one holds (released on Section
 * Acknowledgment or Stream Cancellation) and which streams could be blocked at the decoder — those with a section
 * whose Required Insert Count is above the Known Received Count (§2.1.2).
 */
export class SectionTracker {
  private readonly streams = new Map<number, StreamSections>();
  private readonly blocking = new Set<StreamSections>();
  private outstanding = 0;

  constructor(private readonly table: EncoderTable) {}

  /** Streams that could currently be blocked at the decoder. */
  get blockingStreams(): number {
    return this.blocking.size;
  }

  /** Sections not yet acknowledged or cancelled. */
  get outstandingSections(): number {
    return this.outstanding;
  }

  /** Whether `streamId` already counts as a potentially blocked stream (more references do not add to the count). */
  isBlocking(streamId: number): boolean {
    const s = this.streams.get(streamId);
    return s !== undefined && s.maxRequiredInsertCount > this.table.knownReceivedCount;
  }

  /** Records a section sent on `streamId` with Required Insert Count `ric` > 0 holding references `refs`. */
  record(streamId: number, ric: number, refs: readonly number[]): void {
    let s = this.streams.get(streamId);
    if (s === undefined) {
      s = { sections: [], maxRequiredInsertCount: 0 };
      this.streams.set(streamId, s);
    }
    s.sections.push({ requiredInsertCount: ric, refs });
    this.outstanding++;
    if (ric > s.maxRequiredInsertCount) s.maxRequiredInsertCount = ric;
    if (ric > this.table.knownReceivedCount) this.blocking.add(s);
  }

  /**
   * §4.4.1 Section Acknowledgment: acknowledges the earliest unacknowledged section on the stream (§2.2.2.1); an
   * acknowledgment for a stream with none is a QPACK_DECODER_STREAM_ERROR.
   */
  onSectionAck(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s === undefined) {
      throw new QpackDecoderStreamError(`Section Acknowledgment for stream ${streamId} with no outstanding section`);
    }
    const section = s.sections.shift()!;
    this.release(section);
    this.outstanding--;
    // §2.1.4: the Known Received Count becomes at least the section's Required Insert Count
    if (section.requiredInsertCount > this.table.knownReceivedCount) {
      this.table.knownReceivedCount = section.requiredInsertCount;
    }
    if (s.sections.length === 0) {
      this.streams.delete(streamId);
      this.blocking.delete(s);
    } else {
      let max = 0;
      for (const x of s.sections) if (x.requiredInsertCount > max) max = x.requiredInsertCount;
      s.maxRequiredInsertCount = max;
    }
    this.updateBlocking();
  }

  /** §4.4.2 Stream Cancellation: every reference on the stream is gone; nothing is implied about inserts. */
  onStreamCancellation(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s === undefined) return;
    for (const x of s.sections) this.release(x);
    this.outstanding -= s.sections.length;
    this.streams.delete(streamId);
    this.blocking.delete(s);
  }

  /** §4.4.3 Insert Count Increment: an increment of 0, or beyond what was sent, is a QPACK_DECODER_STREAM_ERROR. */
  onInsertCountIncrement(increment: number): void {
    const t = this.table;
    if (increment === 0 || t.knownReceivedCount + increment > t.insertCount) {
      throw new QpackDecoderStreamError(`invalid Insert Count Increment ${increment}`);
    }
    t.knownReceivedCount += increment;
    this.updateBlocking();
  }

  private release(section: SentSection): void {
    const refs = section.refs;
    for (let i = 0; i < refs.length; i++) this.table.releaseRef(refs[i]);
  }

  private updateBlocking(): void {
    const krc = this.table.knownReceivedCount;
    for (const s of this.blocking) if (s.maxRequiredInsertCount <= krc) this.blocking.delete(s);
  }
}
