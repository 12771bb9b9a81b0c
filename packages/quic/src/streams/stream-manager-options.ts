import type { EndpointRole } from './stream-id.js';

/**
 * The stream- and flow-control transport parameters of one endpoint (RFC 9000 §18.2), named as in the wire layer's
 * `TransportParameters` so that object can be passed as is.
 */
export interface StreamLimits {
  readonly initialMaxData: number;
  readonly initialMaxStreamDataBidiLocal: number;
  readonly initialMaxStreamDataBidiRemote: number;
  readonly initialMaxStreamDataUni: number;
  readonly initialMaxStreamsBidi: number;
  readonly initialMaxStreamsUni: number;
}

/** Options of a {@link StreamManager}. */
export interface StreamManagerOptions {
  readonly role: EndpointRole;
  /** The limits we advertise (our transport parameters). */
  readonly local: StreamLimits;
  /** The peer's transport parameters, when already known (remembered ones for 0-RTT); else see `setPeerLimits`. */
  readonly peer?: StreamLimits;
  /** Auto-tuning ceiling of a stream's receive window. Default 6 MiB (never below the initial window). */
  readonly maxStreamWindowBytes?: number;
  /** Auto-tuning ceiling of the connection's receive window. Default 15 MiB (never below the initial window). */
  readonly maxConnectionWindowBytes?: number;
  /** Send MAX_(STREAM_)DATA when the credit left falls below this fraction of the window. Default 0.5. */
  readonly updateFraction?: number;
  /** Per-stream send buffer high-water mark (`write()` returns false above it). Default 256 KiB. */
  readonly highWaterMarkBytes?: number;
  /** Reassembly page size. Default 16 KiB. */
  readonly pageSize?: number;
  /** Most disjoint received ranges per stream (RFC 9000 §21.7). Default 4096. */
  readonly maxRanges?: number;
  /**
   * Allocates reassembly pages (need not be zeroed; e.g. `Buffer.allocUnsafeSlow` in a Node composition root).
   * Default: `new Uint8Array(bytes)`.
   */
  readonly allocatePage?: (bytes: number) => Uint8Array;
  /** Writes below this size are coalesced into blocks. Default 1024. */
  readonly coalesceBelowBytes?: number;
  /** RFC 9218 urgency of new streams (0-7). Default 3. */
  readonly defaultUrgency?: number;
  /** RFC 9218 incremental flag of new streams. Default true (round-robin). */
  readonly defaultIncremental?: boolean;
  /**
   * The error code of the RESET_STREAM sent in reply to STOP_SENDING (RFC 9000 §3.5: SHOULD copy the peer's code,
   * "but it can use any application error code"). Default: the peer's code.
   */
  readonly resetCodeForStopSending?: (peerErrorCode: number, streamId: number) => number;
}
