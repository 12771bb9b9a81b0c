/**
 * Frame types (RFC 9000 §19, §12.4 Table 3) the stream layer reports in `TransportError.frameType`. Kept here so the
 * stream layer does not depend on the wire layer.
 */
export const StreamFrameType = {
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  /** 0x08-0x0f; the base value is reported. */
  STREAM: 0x08,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13,
  DATA_BLOCKED: 0x14,
  STREAM_DATA_BLOCKED: 0x15,
  STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
} as const;
