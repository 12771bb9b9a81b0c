import { type ByteReader, type ByteWriter, readVarintBigAt, varintLength } from '@fos/core';
import type { AckFrame } from './frame.js';
import { frameEncodingError, toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

/**
 * Default cap on the ACK ranges a parser stores. An ACK frame is bounded by its packet (each range costs at least
 * two bytes, so a 1500-byte packet carries < 750), but keeping every range of a hostile 64 KB packet would still
 * cost ~256 KB per parse. Ranges past the cap are validated and dropped: acknowledgments are cumulative and
 * irrevocable (RFC 9000 §19.3), so ignoring the oldest ranges can only delay loss recovery, never corrupt it.
 */
export const DEFAULT_MAX_ACK_RANGES = 256;

function newAckFrame(): AckFrame {
  return { type: FrameType.ACK, ackDelay: 0, rangeCount: 0, ranges: [], ecn: null };
}

/**
 * Parses an ACK (0x02) or ACK_ECN (0x03) frame body (RFC 9000 §19.3). `type` is the frame type already read.
 * FRAME_ENCODING_ERROR when a computed packet number is negative (§19.3.1), when the ACK Range Count is larger
 * than the rest of the packet could carry (§20.1), or on truncation.
 * @param maxRanges ranges stored in `out` at most (see {@link DEFAULT_MAX_ACK_RANGES}); all are validated.
 */
export function parseAckFrame(
  r: ByteReader,
  type: number,
  out: AckFrame = newAckFrame(),
  maxRanges: number = DEFAULT_MAX_ACK_RANGES,
): AckFrame {
  try {
    const bodyStart = r.pos;
    const largest = r.varint();
    out.ackDelay = r.varint();
    const count = r.varint();
    const first = r.varint();
    // Above 2^53 the arithmetic below is approximate: skip its checks and redo them exactly at the end (a packet
    // number that large is never sent in practice).
    const approx = largest > Number.MAX_SAFE_INTEGER;
    if (first > largest && !approx) throw frameEncodingError(type, 'ACK First ACK Range below packet number 0');
    // Each ACK Range is a Gap and a Length varint: at least 2 bytes.
    if (count > (r.end - r.pos) / 2) throw frameEncodingError(type, 'ACK Range Count exceeds the packet');
    const ranges = out.ranges;
    ranges[0] = largest;
    let smallest = largest - first;
    ranges[1] = smallest;
    let stored = 1;
    for (let i = 0; i < count; i++) {
      const gap = r.varint();
      const length = r.varint();
      // RFC 9000 §19.3.1: largest = previous_smallest - gap - 2; smallest = largest - ack_range
      const rangeLargest = smallest - gap - 2;
      if (rangeLargest < 0 && !approx) throw frameEncodingError(type, 'ACK Gap below packet number 0');
      const rangeSmallest = rangeLargest - length;
      if (rangeSmallest < 0 && !approx) throw frameEncodingError(type, 'ACK Range below packet number 0');
      if (stored < maxRanges) {
        ranges[2 * stored] = rangeLargest;
        ranges[2 * stored + 1] = rangeSmallest;
        stored++;
      }
      smallest = rangeSmallest;
    }
    out.rangeCount = stored;
    if (type === FrameType.ACK_ECN) {
      // RFC 9000 §19.3.2
      const ecn = out.ecn ?? { ect0: 0, ect1: 0, ce: 0 };
      ecn.ect0 = r.varint();
      ecn.ect1 = r.varint();
      ecn.ce = r.varint();
      out.ecn = ecn;
    } else {
      out.ecn = null;
    }
    if (approx) checkAckExact(r.buf, bodyStart, r.end, type);
    return out;
  } catch (e) {
    throw toFrameError(e, type);
  }
}

function checkAckExact(buf: Uint8Array, pos: number, end: number, type: number): void {
  const next = (): bigint => {
    const v = readVarintBigAt(buf, pos, end);
    pos += 1 << (buf[pos] >> 6);
    return v;
  };
  const largest = next();
  next(); // ACK Delay
  const count = next();
  let smallest = largest - next();
  if (smallest < 0n) throw frameEncodingError(type, 'ACK First ACK Range below packet number 0');
  for (let i = 0n; i < count; i++) {
    smallest = smallest - next() - 2n;
    if (smallest < 0n) throw frameEncodingError(type, 'ACK Gap below packet number 0');
    smallest -= next();
    if (smallest < 0n) throw frameEncodingError(type, 'ACK Range below packet number 0');
  }
}

function checkRanges(frame: AckFrame): void {
  const { ranges, rangeCount } = frame;
  if (rangeCount < 1 || ranges.length < 2 * rangeCount) throw new RangeError('an ACK frame has at least one range');
  let previousSmallest = 0;
  for (let i = 0; i < rangeCount; i++) {
    const largest = ranges[2 * i];
    const smallest = ranges[2 * i + 1];
    if (!(smallest >= 0 && smallest <= largest)) throw new RangeError(`ACK range ${i} is [${smallest}, ${largest}]`);
    if (i > 0 && largest > previousSmallest - 2)
      throw new RangeError(`ACK range ${i} overlaps or touches range ${i - 1}`);
    previousSmallest = smallest;
  }
}

/** Writes an ACK frame, or ACK_ECN when `frame.ecn` is set (RFC 9000 §19.3). Ranges must be descending and disjoint. */
export function encodeAckFrame(w: ByteWriter, frame: AckFrame): void {
  checkRanges(frame);
  const { ranges, rangeCount, ecn } = frame;
  w.u8(ecn ? FrameType.ACK_ECN : FrameType.ACK);
  w.varint(ranges[0]);
  w.varint(frame.ackDelay);
  w.varint(rangeCount - 1);
  w.varint(ranges[0] - ranges[1]);
  for (let i = 1; i < rangeCount; i++) {
    // RFC 9000 §19.3.1: Gap = previous_smallest - largest - 2; ACK Range Length = largest - smallest
    w.varint(ranges[2 * i - 1] - ranges[2 * i] - 2);
    w.varint(ranges[2 * i] - ranges[2 * i + 1]);
  }
  if (ecn) w.varint(ecn.ect0).varint(ecn.ect1).varint(ecn.ce);
}

/** Bytes {@link encodeAckFrame} writes. */
export function encodedLengthAckFrame(frame: AckFrame): number {
  checkRanges(frame);
  const { ranges, rangeCount, ecn } = frame;
  let n = 1 + varintLength(ranges[0]) + varintLength(frame.ackDelay) + varintLength(rangeCount - 1);
  n += varintLength(ranges[0] - ranges[1]);
  for (let i = 1; i < rangeCount; i++) {
    n += varintLength(ranges[2 * i - 1] - ranges[2 * i] - 2) + varintLength(ranges[2 * i] - ranges[2 * i + 1]);
  }
  if (ecn) n += varintLength(ecn.ect0) + varintLength(ecn.ect1) + varintLength(ecn.ce);
  return n;
}

/** RFC 9000 §19.3: the ACK Delay field decoded to microseconds with the sender's ack_delay_exponent. */
export function ackDelayMicros(ackDelayField: number, ackDelayExponent: number): number {
  return ackDelayField * 2 ** ackDelayExponent;
}

/** The ACK Delay field for a delay in microseconds (RFC 9000 §19.3, §13.2.5), rounded down. */
export function ackDelayField(delayMicros: number, ackDelayExponent: number): number {
  return Math.floor(Math.max(0, delayMicros) / 2 ** ackDelayExponent);
}
