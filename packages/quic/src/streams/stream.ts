import type { RecvStream } from './recv-stream.js';
import { SchedulerEntry } from './send-scheduler.js';
import type { SendStream } from './send-stream.js';
import type { StreamEvent } from './stream-events.js';

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
}
