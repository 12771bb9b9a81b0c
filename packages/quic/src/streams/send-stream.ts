import { SendFlowController } from '../flow-control/send-flow-controller.js';
import { SendBuffer, type SendBufferOptions } from './send-buffer.js';

/** RFC 9000 §3.1 Figure 2: states of the sending part of a stream. */
export const SendState = {
  READY: 'ready',
  SEND: 'send',
  DATA_SENT: 'data-sent',
  RESET_SENT: 'reset-sent',
  DATA_RECVD: 'data-recvd',
  RESET_RECVD: 'reset-recvd',
} as const;
export type SendState = (typeof SendState)[keyof typeof SendState];

const EMPTY = new Uint8Array(0);

/** Where the FIN bit stands. */
const Fin = { NONE: 0, PENDING: 1, SENT: 2, LOST: 3, ACKED: 4 } as const;
type Fin = (typeof Fin)[keyof typeof Fin];

/** Options of a {@link SendStream}. */
export interface SendStreamOptions extends SendBufferOptions {
  /** The peer's initial limit for this stream (a transport parameter, RFC 9000 §18.2). */
  readonly initialLimitBytes: number;
  /** `write()` returns false once this many bytes are held (unsent + unacknowledged). Default 256 KiB. */
  readonly highWaterMarkBytes?: number;
}

/** What to put in the next STREAM frame (a reused record: copy the numbers, do not keep it). */
export interface StreamChunk {
  streamId: number;
  offset: number;
  /** A view into the send buffer, valid until the data is acknowledged or the stream reset. */
  data: Uint8Array;
  fin: boolean;
}

/**
 * The sending part of a stream: the state machine of RFC 9000 §3.1, stream-level send flow control (§4.1), the
 * send buffer with retransmission of lost ranges, FIN handling and RESET_STREAM.
 *
 * Sans-I/O. The owner (the stream manager) asks for frames and reports acknowledgements and losses.
 */
export class SendStream {
  state: SendState = SendState.READY;
  readonly fc: SendFlowController;
  readonly buffer: SendBuffer;
  readonly highWaterMarkBytes: number;
  /** Final size once the application ended the stream (RFC 9000 §4.5), else -1. */
  finalSize = -1;
  /** Error code of our RESET_STREAM, -1 when not reset. */
  resetErrorCode = -1;
  /** Final size carried by our RESET_STREAM (bytes sent so far, RFC 9000 §4.5). */
  resetFinalSize = 0;
  /** Whether the reset was our reply to the peer's STOP_SENDING (RFC 9000 §3.5). */
  resetByStopSending = false;
  private fin: Fin = Fin.NONE;
  /** Whether `write()` last reported the buffer above the high-water mark (a 'writable' event is owed). */
  needsDrain = false;

  constructor(options: SendStreamOptions) {
    this.fc = new SendFlowController(options.initialLimitBytes);
    this.buffer = new SendBuffer(options);
    this.highWaterMarkBytes = options.highWaterMarkBytes ?? 256 * 1024;
  }

  /** Whether the application may still write (RFC 9000 §3.1: Ready or Send, not ended). */
  get writable(): boolean {
    return (this.state === SendState.READY || this.state === SendState.SEND) && this.finalSize < 0;
  }

  /** Whether the sending part reached a terminal state (Data Recvd or Reset Recvd). */
  get terminal(): boolean {
    return this.state === SendState.DATA_RECVD || this.state === SendState.RESET_RECVD;
  }

  /** Whether we reset the stream (Reset Sent or Reset Recvd). */
  get isReset(): boolean {
    return this.state === SendState.RESET_SENT || this.state === SendState.RESET_RECVD;
  }

  /**
   * Buffers application data (kept by reference: do not modify `data` afterwards); `fin` ends the stream.
   * Returns whether the bytes not yet sent are still below the high-water mark (false = wait for a 'writable'
   * event). Sent-but-unacknowledged bytes do not count: they are bounded by the congestion window, and counting
   * them would cap a stream's throughput at one high-water mark per round trip.
   * The caller checks {@link writable} first.
   */
  write(data: Uint8Array, fin: boolean): boolean {
    this.buffer.write(data);
    if (fin) {
      this.finalSize = this.buffer.writeOffset;
      this.fin = Fin.PENDING;
    }
    const below = this.buffer.unsentBytes < this.highWaterMarkBytes;
    if (!below) this.needsDrain = true;
    return below;
  }

  /** Whether a 'writable' event is due: `write()` returned false and unsent bytes fell to half the mark. */
  drained(): boolean {
    if (!this.needsDrain || this.buffer.unsentBytes > this.highWaterMarkBytes / 2 || !this.writable) return false;
    this.needsDrain = false;
    return true;
  }

  /**
   * Whether something must be sent that needs no flow-control credit: lost data, or a FIN with no data left to
   * carry it (a FIN-only frame). Served before new data (RFC 9000 §13.3).
   */
  get hasUrgent(): boolean {
    if (this.state === SendState.RESET_SENT || this.state === SendState.RESET_RECVD) return false;
    if (this.buffer.hasLost) return true;
    return (this.fin === Fin.PENDING || this.fin === Fin.LOST) && this.buffer.sendOffset === this.finalSize;
  }

  /** Offset of the frame {@link emitUrgent} would build (for sizing its header). */
  get urgentOffset(): number {
    return this.buffer.hasLost ? this.buffer.lost.start(0) : this.finalSize;
  }

  /**
   * After rejected 0-RTT (RFC 9001 §4.6.2): everything sent is unsent again, to go out under the peer's new stream
   * limit `limitBytes`; a FIN already sent is pending again. A reset stream is left as it is (its RESET_STREAM is
   * sent again like any lost control frame).
   */
  rewind(limitBytes: number): void {
    if (this.isReset || this.terminal) return;
    this.buffer.rewind();
    this.fc.reset(limitBytes);
    if (this.fin === Fin.SENT || this.fin === Fin.LOST) this.fin = Fin.PENDING;
    if (this.state === SendState.DATA_SENT) this.state = SendState.SEND;
  }

  /** Whether new data is waiting (regardless of credit). */
  get hasUnsent(): boolean {
    return (this.state === SendState.READY || this.state === SendState.SEND) && this.buffer.unsentBytes > 0;
  }

  /** Whether new data is waiting and stream credit allows sending some of it. */
  get hasSendableNew(): boolean {
    return this.hasUnsent && this.fc.available > 0;
  }

  /**
   * Fills `out` with a retransmission (a lost range, RFC 9000 §13.3) or a FIN-only frame, using at most `maxBytes`
   * of data. Returns false when there is nothing urgent.
   */
  emitUrgent(maxBytes: number, out: StreamChunk): boolean {
    if (!this.hasUrgent) return false;
    if (this.buffer.hasLost) {
      if (maxBytes <= 0) return false;
      const data = this.buffer.takeLost(maxBytes, out);
      out.data = data;
      // The retransmission that ends at the final size carries the FIN again (unless already acknowledged).
      out.fin = this.finalSize >= 0 && out.offset + data.length === this.finalSize && this.fin !== Fin.ACKED;
      if (out.fin) this.markFinSent();
      return true;
    }
    // RFC 9000 §19.8: a FIN-only frame at the final size (all data already sent).
    out.offset = this.finalSize;
    out.data = EMPTY;
    out.fin = true;
    this.markFinSent();
    return true;
  }

  /**
   * Fills `out` with new data (at most `maxBytes`, limited by stream credit and `connectionCredit`), with the FIN
   * when it reaches the final size. Returns the number of new bytes (0, with `out` untouched, when none).
   */
  emitNew(maxBytes: number, connectionCredit: number, out: StreamChunk): number {
    if (!this.hasUnsent) return 0;
    let n = this.fc.available;
    if (connectionCredit < n) n = connectionCredit;
    if (maxBytes < n) n = maxBytes;
    if (n <= 0) return 0;
    const offset = this.buffer.sendOffset;
    const data = this.buffer.takeNew(n);
    this.fc.consume(data.length);
    out.offset = offset;
    out.data = data;
    out.fin = this.fin === Fin.PENDING && offset + data.length === this.finalSize;
    if (out.fin) this.markFinSent();
    else if (this.state === SendState.READY) this.state = SendState.SEND; // RFC 9000 §3.1
    return data.length;
  }

  /** A STREAM_DATA_BLOCKED frame was sent: Ready → Send (RFC 9000 §3.1). */
  onBlockedFrameSent(): void {
    if (this.state === SendState.READY) this.state = SendState.SEND;
  }

  /**
   * A STREAM frame `[offset, offset + length)` (with `fin`) was acknowledged. Returns true when this made the
   * sending part reach Data Recvd (RFC 9000 §3.1: all data and the FIN acknowledged).
   */
  onAcked(offset: number, length: number, fin: boolean): boolean {
    if (this.isReset || this.terminal) return false;
    this.buffer.onAcked(offset, length);
    if (fin) this.fin = Fin.ACKED;
    if (this.state === SendState.DATA_SENT && this.fin === Fin.ACKED && this.buffer.ackedOffset === this.finalSize) {
      this.state = SendState.DATA_RECVD;
      this.buffer.clear();
      return true;
    }
    return false;
  }

  /** A STREAM frame was declared lost: queue its unacknowledged bytes (and FIN) again, unless reset (§13.3). */
  onLost(offset: number, length: number, fin: boolean): void {
    if (this.isReset || this.terminal) return;
    this.buffer.onLost(offset, length);
    if (fin && this.fin === Fin.SENT) this.fin = Fin.LOST;
  }

  /**
   * Abandons transmission (RFC 9000 §3.1: from Ready, Send or Data Sent → Reset Sent). The final size is the
   * number of bytes sent so far (§4.5: one past the highest offset sent). Returns false when already reset or
   * terminal (no RESET_STREAM to send).
   */
  reset(errorCode: number, byStopSending: boolean): boolean {
    if (this.isReset || this.terminal) return false;
    this.state = SendState.RESET_SENT;
    this.resetErrorCode = errorCode;
    this.resetFinalSize = this.buffer.sendOffset;
    this.resetByStopSending = byStopSending;
    this.buffer.clear();
    return true;
  }

  /** Our RESET_STREAM was acknowledged: Reset Sent → Reset Recvd (RFC 9000 §3.1). Returns whether it changed. */
  onResetAcked(): boolean {
    if (this.state !== SendState.RESET_SENT) return false;
    this.state = SendState.RESET_RECVD;
    return true;
  }

  private markFinSent(): void {
    this.fin = Fin.SENT;
    // RFC 9000 §3.1: sending STREAM + FIN moves Ready/Send to Data Sent.
    if (this.state === SendState.READY || this.state === SendState.SEND) this.state = SendState.DATA_SENT;
  }
}
