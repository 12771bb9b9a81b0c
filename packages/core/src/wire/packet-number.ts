// RFC 9000 §17.1: packet numbers are 62-bit integers sent truncated to 1-4 bytes.

/**
 * Number of bytes to encode `fullPn` with, given the largest packet number the peer has acknowledged in the
 * same space (undefined when none). RFC 9000 §17.1 and Appendix A.2: the encoding must represent more than
 * twice the number of packets in flight, i.e. 2^(8·bytes) ≥ 2·num_unacked.
 */
export function packetNumberLength(fullPn: number, largestAcked: number | undefined): 1 | 2 | 3 | 4 {
  const numUnacked = largestAcked === undefined ? fullPn + 1 : fullPn - largestAcked;
  const range = 2 * Math.max(numUnacked, 1);
  if (range <= 0x100) return 1;
  if (range <= 0x1_0000) return 2;
  if (range <= 0x100_0000) return 3;
  if (range <= 0x1_0000_0000) return 4;
  throw new RangeError(`${numUnacked} unacknowledged packets cannot be encoded in 4 bytes`);
}

/** The low `length` bytes of `fullPn` (RFC 9000 §17.1). */
export function truncatePacketNumber(fullPn: number, length: 1 | 2 | 3 | 4): number {
  return fullPn % 2 ** (8 * length);
}

/** Writes the truncated packet number big-endian at `offset`; returns the offset after it. */
export function writePacketNumber(buf: Uint8Array, offset: number, fullPn: number, length: 1 | 2 | 3 | 4): number {
  const truncated = truncatePacketNumber(fullPn, length);
  for (let i = length - 1; i >= 0; i--) buf[offset + i] = Math.floor(truncated / 2 ** (8 * (length - 1 - i))) & 0xff;
  return offset + length;
}

/** Reads a `length`-byte truncated packet number at `offset`. */
export function readPacketNumber(buf: Uint8Array, offset: number, length: 1 | 2 | 3 | 4): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + buf[offset + i];
  return v;
}

const TWO_POW_62 = 2 ** 62;

/**
 * Recovers the full packet number from a truncated one (RFC 9000 Appendix A.3).
 * `largestPn` is the largest packet number successfully processed in the space, or -1 when none.
 */
export function decodePacketNumber(largestPn: number, truncatedPn: number, pnNbits: 8 | 16 | 24 | 32): number {
  const expectedPn = largestPn + 1;
  const pnWin = 2 ** pnNbits;
  const pnHwin = pnWin / 2;
  // (expected_pn & ~pn_mask) | truncated_pn, without 32-bit bitwise operators
  const candidatePn = expectedPn - (expectedPn % pnWin) + truncatedPn;
  if (candidatePn <= expectedPn - pnHwin && candidatePn < TWO_POW_62 - pnWin) return candidatePn + pnWin;
  if (candidatePn > expectedPn + pnHwin && candidatePn >= pnWin) return candidatePn - pnWin;
  return candidatePn;
}
