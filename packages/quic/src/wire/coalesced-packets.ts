import { HeaderStatus, type PacketHeader, type ParseHeaderOptions, parsePacketHeader } from './packet-header.js';
import { PacketType } from './packet-type.js';

/**
 * Splits a UDP datagram into its coalesced QUIC packets (RFC 9000 §12.2) without copying: each `next(header)`
 * fills the caller's reusable {@link PacketHeader} with the offsets of the next packet.
 *
 * - The first packet is always reported, whatever its status, so the endpoint can route it, answer an unsupported
 *   version with Version Negotiation, or log the drop; iteration stops after a first packet that is not `OK`.
 * - Later packets are reported only when their header is `OK`, is a packet type that can be coalesced (not Retry
 *   or Version Negotiation) and carries the same Destination Connection ID as the first packet: RFC 9000 §12.2
 *   says receivers SHOULD ignore subsequent packets with a different DCID. Anything else ends the iteration; the
 *   ignored tail (often zero padding after the last packet) is left in {@link ignoredBytes}.
 * - Packets are independent: whether the transport can decrypt one has no effect on the iteration (§12.2: a
 *   receiver MUST attempt to process the remaining packets after a decryption failure).
 * - Short-header, Retry and Version Negotiation packets have no Length field and run to the end of the datagram.
 */
export class CoalescedPacketIterator {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  private shortDcidLength = 0;
  private options: ParseHeaderOptions | undefined;
  private firstDcidOffset = 0;
  private firstDcidLength = 0;
  private finished = true;
  /** Packets reported since `reset`. */
  count = 0;
  /** Bytes at the end of the datagram that were not reported as packets (padding, foreign DCID, bad header). */
  ignoredBytes = 0;

  /** Points the iterator at `buf[offset, end)`. Reuses this object; nothing is allocated. */
  reset(buf: Uint8Array, offset: number, end: number, shortDcidLength: number, options?: ParseHeaderOptions): this {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    this.shortDcidLength = shortDcidLength;
    this.options = options;
    this.finished = offset >= end;
    this.count = 0;
    this.ignoredBytes = 0;
    return this;
  }

  /**
   * Fills `out` with the next packet; false when there is none (then `out` may hold the rejected trailing bytes'
   * header and should not be used).
   */
  next(out: PacketHeader): boolean {
    if (this.finished) return false;
    const status = parsePacketHeader(this.buf, this.pos, this.end, this.shortDcidLength, out, this.options);
    if (this.count === 0) {
      this.firstDcidOffset = out.dcidOffset;
      this.firstDcidLength = out.dcidLength;
    } else if (
      status !== HeaderStatus.OK ||
      out.type === PacketType.RETRY ||
      out.type === PacketType.VERSION_NEGOTIATION ||
      !out.dcidEquals(this.buf, this.firstDcidOffset, this.firstDcidLength)
    ) {
      // RFC 9000 §12.2: ignore what follows.
      this.ignoredBytes = this.end - this.pos;
      this.finished = true;
      return false;
    }
    this.count++;
    if (status !== HeaderStatus.OK || out.packetEnd >= this.end || out.pnOffset < 0 || !out.isLong) {
      this.finished = true;
    } else {
      this.pos = out.packetEnd;
    }
    return true;
  }
}
