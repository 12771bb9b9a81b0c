import { RecvState, type RecvStream } from './recv-stream.js';
import { SchedulerEntry } from './send-scheduler.js';
import { SendState, type SendStream } from './send-stream.js';
import type { StreamControlFrame, StreamEvent } from './stream-events.js';

/**
 * One stream as the stream manager holds it: its receiving part (absent for a stream we only send on), its sending
 * part (absent for a stream we only receive on), and the manager's bookkeeping flags. It is its own entry in the
 * send scheduler (no extra object per stream). Application code reads it through `StreamManager.getStream()`;
 * mutate it only through the manager.
 */
export class Stream extends SchedulerEntry {
  /** @internal a 'readable' event was queued and the stream has not been drained since. */
  readableSignaled = false;
  /** @internal removed from the manager (closed). */
  released = false;
  /**
   * A stream we opened in rejected 0-RTT whose index the peer's new stream limit does not cover: it sends nothing
   * until MAX_STREAMS covers it (RFC 9000 §4.6).
   */
  awaitingStreamLimit = false;
  /** @internal queued in the manager's control-frame queue. */
  inControlQueue = false;
  /** @internal queued in the manager's credit-update queue. */
  inCreditQueue = false;
  /** @internal a MAX_STREAM_DATA frame is due. */
  maxStreamDataPending = false;
  /** @internal a STREAM_DATA_BLOCKED frame is due. */
  streamDataBlockedPending = false;
  /** @internal a RESET_STREAM frame is due. */
  resetPending = false;
  /** @internal a STOP_SENDING frame is due. */
  stopSendingPending = false;
  /** @internal the stream's 'readable' event, made once and reused (events are immutable records). */
  readableEvent: StreamEvent | undefined;
  /** @internal the stream's 'writable' event, made once and reused. */
  writableEvent: StreamEvent | undefined;

  constructor(
    readonly id: number,
    /** Whether this endpoint opened the stream. */
    readonly local: boolean,
    readonly recv: RecvStream | undefined,
    readonly send: SendStream | undefined,
    urgency: number,
    incremental: boolean,
  ) {
    super(id, urgency, incremental);
  }

  /** RFC 9000 §3.4: closed when each present part is in a terminal state. */
  get closed(): boolean {
    return (this.send === undefined || this.send.terminal) && (this.recv === undefined || this.recv.terminal);
  }

  /**
   * @internal One control frame of this stream (RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA, STREAM_DATA_BLOCKED),
   * clearing its flag; undefined when it has none left.
   */
  takeControlFrame(): StreamControlFrame | undefined {
    const streamId = this.id;
    if (this.released) {
      this.resetPending = this.stopSendingPending = this.maxStreamDataPending = this.streamDataBlockedPending = false;
      return undefined;
    }
    if (this.resetPending) {
      this.resetPending = false;
      const send = this.send!;
      if (send.state === SendState.RESET_SENT) {
        return {
          type: 'reset-stream',
          streamId,
          applicationErrorCode: send.resetErrorCode,
          finalSize: send.resetFinalSize,
        };
      }
    }
    if (this.stopSendingPending) {
      this.stopSendingPending = false;
      const recv = this.recv!;
      if (recv.state === RecvState.RECV || recv.state === RecvState.SIZE_KNOWN) {
        return { type: 'stop-sending', streamId, applicationErrorCode: recv.stopSendingErrorCode };
      }
    }
    if (this.maxStreamDataPending) {
      this.maxStreamDataPending = false;
      const recv = this.recv!;
      if (recv.wantsCredit) return { type: 'max-stream-data', streamId, maximumStreamData: recv.fc.markAdvertised() };
    }
    if (this.streamDataBlockedPending) {
      this.streamDataBlockedPending = false;
      const send = this.send!;
      if (send.hasUnsent && send.fc.blocked) {
        send.onBlockedFrameSent(); // RFC 9000 §3.1: Ready → Send
        return { type: 'stream-data-blocked', streamId, maximumStreamData: send.fc.limit };
      }
    }
    return undefined;
  }

  /**
   * @internal A control frame of this stream was declared lost: sets its flag again where RFC 9000 §13.3 says to
   * send it again (the caller queues the stream).
   */
  onControlFrameLost(frame: StreamControlFrame): void {
    switch (frame.type) {
      case 'max-stream-data':
        // Resent only while the stream still needs credit (§13.3: not after Size Known or Reset Recvd).
        if (this.recv!.wantsCredit && frame.maximumStreamData === this.recv!.fc.advertised) {
          this.maxStreamDataPending = true;
        }
        break;
      case 'stream-data-blocked':
        if (this.send!.hasUnsent && this.send!.fc.blockedFrameLost(frame.maximumStreamData)) {
          this.streamDataBlockedPending = true;
        }
        break;
      case 'reset-stream':
        // Sent until acknowledged, with the same content (§13.3).
        if (this.send!.state === SendState.RESET_SENT) this.resetPending = true;
        break;
      case 'stop-sending':
        // Sent until the receiving part is in Data Recvd or Reset Recvd (§13.3).
        if (this.recv!.state === RecvState.RECV || this.recv!.state === RecvState.SIZE_KNOWN) {
          this.stopSendingPending = true;
        }
        break;
      default:
        break;
    }
  }
}
