import { TransportError, TransportErrorCode } from '@fos/core';
import { ReassemblyBuffer } from '../streams/reassembly-buffer.js';
import { SendBuffer } from '../streams/send-buffer.js';

/**
 * The CRYPTO "stream" of one encryption level (RFC 9000 §19.6, §7.5): received handshake bytes reassembled in
 * order for TLS, and our handshake bytes kept until acknowledged.
 */
export class CryptoStream {
  readonly recv = new ReassemblyBuffer({ pageSize: 4096 });
  readonly send = new SendBuffer({ coalesceBelowBytes: 0 });
  private readonly maxBuffered: number;
  private readonly scratch = { offset: 0 };

  constructor(maxBufferedBytes: number) {
    this.maxBuffered = maxBufferedBytes;
  }

  /**
   * Stores CRYPTO frame data; throws CRYPTO_BUFFER_EXCEEDED when it lies further ahead of what TLS consumed than we
   * buffer (RFC 9000 §7.5).
   */
  receive(offset: number, data: Uint8Array): void {
    if (offset + data.length > this.recv.readOffset + this.maxBuffered) {
      throw new TransportError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, 'too much out-of-order CRYPTO data', {
        frameType: 0x06,
      });
    }
    this.recv.insert(offset, data);
  }

  /** The next in-order bytes for TLS, or undefined. */
  read(): Uint8Array | undefined {
    return this.recv.read();
  }

  /** Whether there is anything to (re)send. */
  get hasData(): boolean {
    return this.send.hasLost || this.send.unsentBytes > 0;
  }

  /** Up to `maxBytes` of lost data first, then new data; `out.offset` gets the offset. Empty when nothing. */
  take(maxBytes: number, out: { offset: number }): Uint8Array {
    if (this.send.hasLost) return this.send.takeLost(maxBytes, out);
    out.offset = this.send.sendOffset;
    return this.send.takeNew(maxBytes);
  }

  /** RFC 9002 §6.2.4: on a PTO, everything sent and not acknowledged is sent again. */
  requeueUnacked(): void {
    this.send.onLost(this.send.ackedOffset, this.send.sendOffset - this.send.ackedOffset);
  }

  get scratchOffset(): { offset: number } {
    return this.scratch;
  }
}
