import type { StringInterner } from '@fos/core';
import type { H3LocalSettings, H3Settings } from '../frames/settings.js';
import type { H3Transport } from '../transport.js';

/** Options of an {@link H3Connection}. */
export interface H3ConnectionOptions {
  /** The QUIC connection (see `H3Transport`); its `role` is the connection's role. */
  readonly transport: H3Transport;
  /**
   * Our SETTINGS_QPACK_MAX_TABLE_CAPACITY (RFC 9204 §5): how much dynamic table the peer's encoder may use.
   * Default 4096.
   */
  readonly qpackMaxTableCapacity?: number;
  /** Our SETTINGS_QPACK_BLOCKED_STREAMS (RFC 9204 §5). Default 16. */
  readonly qpackBlockedStreams?: number;
  /** Our SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2), the largest header section we accept. Default 65536. */
  readonly maxFieldSectionSize?: number;
  /** Server: advertise and accept extended CONNECT (RFC 9220 §3). Default false. */
  readonly enableConnectProtocol?: boolean;
  /** Advertise SETTINGS_H3_DATAGRAM (RFC 9297 §2.1.1). Datagrams themselves are not handled here. Default false. */
  readonly h3Datagram?: boolean;
  /**
   * Client: the initial MAX_PUSH_ID (RFC 9114 §7.2.7). Undefined (the default) disables server push: MAX_PUSH_ID is
   * never sent, so the server cannot push (§4.6).
   */
  readonly maxPushId?: number;
  /** Our QPACK encoder never uses more dynamic table than this, whatever the peer allows. Default 4096. */
  readonly qpackEncoderCapacityLimit?: number;
  /** Huffman-code QPACK strings when shorter (RFC 9204 §4.1.2). Default true. */
  readonly qpackHuffman?: boolean;
  /** The never-index policy for QPACK (RFC 9204 §7.1.3); default: the QPACK module's `defaultIsSensitive`. */
  readonly qpackIsSensitive?: (name: string, value: string) => boolean;
  /** Interns decoded header names (default: QPACK's shared interner). */
  readonly interner?: StringInterner;
  /**
   * Send grease: a reserved setting (RFC 9114 §7.2.4.1), a reserved frame on the control stream (§7.2.8) and one
   * reserved unidirectional stream (§6.2.3). Default true.
   */
  readonly grease?: boolean;
  /** Source of randomness for grease code points, in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /**
   * Per stream, how many received body bytes may wait in the event queue before we stop reading the stream from the
   * transport (so QUIC stops granting flow-control credit). Default 262144.
   */
  readonly bodyHighWaterMarkBytes?: number;
  /** Largest frame we buffer whole on the control stream (SETTINGS, PRIORITY_UPDATE); beyond it H3_EXCESSIVE_LOAD. Default 16384. */
  readonly maxControlFrameBytes?: number;
  /** Most PRIORITY_UPDATEs remembered for request streams not yet opened (RFC 9218 §7: bounded). Default 256. */
  readonly maxPendingPriorityUpdates?: number;
  /**
   * Client attempting 0-RTT: the server settings remembered from the session it resumes (RFC 9114 §7.2.4.2). They
   * are the peer's settings until its SETTINGS frame arrives — the QPACK encoder may use a dynamic table of the
   * remembered capacity (RFC 9204 §3.2.3) — and that frame must be compatible with them (else H3_SETTINGS_ERROR, or
   * QPACK_DECODER_STREAM_ERROR for a changed table capacity). Call `handleEarlyDataRejected()` when the server
   * rejects 0-RTT: they no longer apply then.
   */
  readonly resumedPeerSettings?: H3Settings;
}

/** Defaults of the options above. */
export const H3_DEFAULTS = {
  qpackMaxTableCapacity: 4096,
  qpackBlockedStreams: 16,
  maxFieldSectionSize: 65536,
  qpackEncoderCapacityLimit: 4096,
  bodyHighWaterMarkBytes: 256 * 1024,
  maxControlFrameBytes: 16384,
  maxPendingPriorityUpdates: 256,
} as const;

/** The settings an {@link H3Connection} built with `options` advertises (defaults applied where unset). */
export function resolveLocalSettings(options: H3LocalSettings): Required<H3LocalSettings> {
  return {
    qpackMaxTableCapacity: options.qpackMaxTableCapacity ?? H3_DEFAULTS.qpackMaxTableCapacity,
    qpackBlockedStreams: options.qpackBlockedStreams ?? H3_DEFAULTS.qpackBlockedStreams,
    maxFieldSectionSize: options.maxFieldSectionSize ?? H3_DEFAULTS.maxFieldSectionSize,
    enableConnectProtocol: options.enableConnectProtocol ?? false,
    h3Datagram: options.h3Datagram ?? false,
  };
}
