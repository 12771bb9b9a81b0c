import { TransportError, TransportErrorCode } from '@fos/core';
import { ReceiveFlowController } from '../flow-control/receive-flow-controller.js';
import { ReassemblyBuffer, type ReassemblyBufferOptions } from './reassembly-buffer.js';
import { StreamFrameType } from './stream-frame-types.js';

/** RFC 9000 §3.2 Figure 3: states of the receiving part of a stream. */
export const RecvState = {
  RECV: 'recv',
  SIZE_KNOWN: 'size-known',
  DATA_RECVD: 'data-recvd',
  RESET_RECVD: 'reset-recvd',
  DATA_READ: 'data-read',
  RESET_READ: 'reset-read',
} as const;
export type RecvState = (typeof RecvState)[keyof typeof RecvState];

/** Options of a {@link RecvStream}. */
export interface RecvStreamOptions extends ReassemblyBufferOptions {
  /** The limit we advertised for this stream in the transport parameters (RFC 9000 §18.2). */
  readonly initialWindowBytes: number;
  /** Auto-tuning ceiling of the stream window. Default: no auto-tuning. */
  readonly maxWindowBytes?: number;
  /** Update threshold as a fraction of the window (see ReceiveFlowController). Default 0.5. */
  readonly updateFraction?: number;
}

function finalSizeError(reason: string, frameType: number): TransportError {
  return new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, reason, { frameType });
}

/**
 * The receiving part of a stream: the state machine of RFC 9000 §3.2, reassembly (§2.2), final size rules (§4.5)
 * and stream-level receive flow control (§4.1) tied to the connection-level controller passed in.
 *
 * Protocol violations throw {@link TransportError} with the RFC code; nothing is changed before the checks pass.
 */
export class RecvStream {
  state: RecvState = RecvState.RECV;
  readonly fc: ReceiveFlowController;
  readonly buffer: ReassemblyBuffer;
  /** Known final size (RFC 9000 §4.5), else -1. */
  finalSize = -1;
  /** The peer's RESET_STREAM error code, -1 when not reset. */
  resetErrorCode = -1;
  /** Error code of the STOP_SENDING the application asked for, -1 when reading was not abandoned. */
  stopSendingErrorCode = -1;

  constructor(options: RecvStreamOptions) {
    this.fc = new ReceiveFlowController({
      initialWindowBytes: options.initialWindowBytes,
      maxWindowBytes: options.maxWindowBytes,
      updateFraction: options.updateFraction,
    });
    this.buffer = new ReassemblyBuffer(options);
  }

  /** Whether the receiving part reached a terminal state (Data Read or Reset Read). */
  get terminal(): boolean {
    return this.state === RecvState.DATA_READ || this.state === RecvState.RESET_READ;
  }

  /** Whether the peer reset the stream (Reset Recvd or Reset Read). */
  get isReset(): boolean {
    return this.state === RecvState.RESET_RECVD || this.state === RecvState.RESET_READ;
  }

  /** Whether the application abandoned reading (STOP_SENDING requested). */
  get stopped(): boolean {
    return this.stopSendingErrorCode >= 0;
  }

  /** Whether a read would return data or the end of the stream. */
  get readable(): boolean {
    if (this.stopped) return false;
    if (this.state === RecvState.RECV || this.state === RecvState.SIZE_KNOWN) return this.buffer.readableBytes > 0;
    return this.state === RecvState.DATA_RECVD;
  }

  /** Whether MAX_STREAM_DATA frames are still useful (RFC 9000 §3.2, §13.3: only in Recv, not after STOP_SENDING). */
  get wantsCredit(): boolean {
    return this.state === RecvState.RECV && !this.stopped;
  }

  /**
   * A STREAM frame (RFC 9000 §19.8): `data` is a view valid only during the call. Checks the final size rules
   * (§4.5) and both flow-control limits (§4.1) before changing anything; then stores the new bytes (or discards
   * them after a reset or STOP_SENDING). Check {@link readable} afterwards.
   */
  handleData(offset: number, data: Uint8Array, fin: boolean, connection: ReceiveFlowController): void {
    const end = offset + data.length;
    const type = StreamFrameType.STREAM;
    // RFC 9000 §4.5: a known final size cannot change, and no data may lie beyond it.
    if (this.finalSize >= 0) {
      if (end > this.finalSize) throw finalSizeError(`data up to ${end} beyond final size ${this.finalSize}`, type);
      if (fin && end !== this.finalSize) {
        throw finalSizeError(`final size changed from ${this.finalSize} to ${end}`, type);
      }
    } else if (fin && end < this.fc.received) {
      throw finalSizeError(`final size ${end} below data already received (${this.fc.received})`, type);
    }
    this.account(end, connection, type);
    if (fin) this.finalSize = end;

    switch (this.state) {
      case RecvState.RECV:
      case RecvState.SIZE_KNOWN:
        break;
      default:
        // Data Recvd, Data Read, Reset Recvd, Reset Read: everything is known; the frame can be discarded (§3.2).
        return;
    }
    if (fin) this.state = RecvState.SIZE_KNOWN; // RFC 9000 §3.2: Recv + FIN → Size Known
    // After STOP_SENDING the buffer only tracks which offsets arrived (RFC 9000 §3.5: the data still counts
    // toward flow control, and is discarded, i.e. consumed at once).
    if (data.length > 0) this.buffer.insert(offset, data);
    if (this.stopped) this.releaseCredit(connection);
    if (this.state === RecvState.SIZE_KNOWN && this.buffer.contiguousEnd === this.finalSize) {
      // RFC 9000 §3.2: all data received. Abandoned streams have nothing more to deliver: Data Read.
      this.state = this.stopped ? RecvState.DATA_READ : RecvState.DATA_RECVD;
    }
  }

  /**
   * A RESET_STREAM frame (RFC 9000 §19.4). Checks the final size (§4.5) and flow control, then discards unread data
   * (Recv / Size Known / Data Recvd → Reset Recvd, §3.2) and releases the connection credit the stream held.
   * Returns true when the application must be told (the state changed to Reset Recvd).
   */
  handleReset(errorCode: number, finalSize: number, connection: ReceiveFlowController): boolean {
    const type = StreamFrameType.RESET_STREAM;
    if (this.finalSize >= 0 && finalSize !== this.finalSize) {
      throw finalSizeError(`RESET_STREAM final size ${finalSize} differs from ${this.finalSize}`, type);
    }
    if (finalSize < this.fc.received) {
      throw finalSizeError(`RESET_STREAM final size ${finalSize} below data received (${this.fc.received})`, type);
    }
    this.account(finalSize, connection, type);
    this.finalSize = finalSize;
    switch (this.state) {
      case RecvState.RECV:
      case RecvState.SIZE_KNOWN:
      case RecvState.DATA_RECVD:
        // RFC 9000 §3.2 (Data Recvd → Reset Recvd is optional; we take it so the application sees the reset).
        this.state = RecvState.RESET_RECVD;
        this.resetErrorCode = errorCode;
        this.buffer.clear();
        // RFC 9000 §4.5: the final size accounts for every byte in the connection-level controller.
        this.releaseCredit(connection);
        return true;
      default:
        return false;
    }
  }

  /**
   * Application read: up to `maxBytes` of contiguous data as a view, `null` at the end of the stream (all data
   * read, or reading abandoned), `undefined` when nothing is available yet. The caller handles reset states.
   * Consumed bytes count as credit at both levels (RFC 9000 §4.1: credit follows consumption).
   */
  read(maxBytes: number, connection: ReceiveFlowController): Uint8Array | null | undefined {
    if (this.stopped || this.state === RecvState.DATA_READ) return null;
    const view = this.buffer.read(maxBytes);
    if (view !== undefined) {
      this.fc.consume(view.length);
      connection.consume(view.length);
    }
    if (this.state === RecvState.DATA_RECVD && this.buffer.readOffset === this.finalSize) {
      this.state = RecvState.DATA_READ; // RFC 9000 §3.2: App Read All Data
      return view ?? null;
    }
    return view;
  }

  /**
   * The application abandons reading (RFC 9000 §3.5): unread data is discarded and its credit released. Returns
   * whether a STOP_SENDING frame should be sent (only in Recv or Size Known: §3.5, §19.5).
   */
  stopSending(errorCode: number, connection: ReceiveFlowController): boolean {
    if (this.stopped || this.terminal || this.isReset) return false;
    this.stopSendingErrorCode = errorCode;
    this.buffer.abandon();
    this.releaseCredit(connection);
    if (this.state === RecvState.DATA_RECVD) {
      // All data is here already; nothing to ask the peer. The application has given it up: Data Read.
      this.state = RecvState.DATA_READ;
      return false;
    }
    return true;
  }

  /** The application saw the reset (the event was delivered): Reset Recvd → Reset Read (RFC 9000 §3.2). */
  resetRead(): void {
    if (this.state === RecvState.RESET_RECVD) this.state = RecvState.RESET_READ;
  }

  /**
   * Stream- then connection-level flow control (RFC 9000 §4.1, §19.9, §19.10) for a frame reaching `end`; on
   * success both controllers record the new highest offset.
   */
  private account(end: number, connection: ReceiveFlowController, frameType: number): void {
    const fc = this.fc;
    if (end > fc.advertised) {
      throw new TransportError(
        TransportErrorCode.FLOW_CONTROL_ERROR,
        `stream data up to ${end} beyond MAX_STREAM_DATA ${fc.advertised}`,
        { frameType },
      );
    }
    if (end > fc.received) {
      connection.checkReceived(connection.received + (end - fc.received), frameType);
      fc.checkReceived(end, frameType);
    }
  }

  /** Counts every received-but-unread byte as consumed (discarded) at both levels. */
  private releaseCredit(connection: ReceiveFlowController): void {
    const target = this.finalSize >= 0 ? this.finalSize : this.fc.received;
    const n = target - this.fc.consumed;
    if (n > 0) {
      this.fc.consume(n);
      connection.consume(n);
    }
  }
}
