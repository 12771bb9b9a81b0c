// RFC 9114 §7.2 / §11.2.1 frame types, RFC 9218 §7.2 PRIORITY_UPDATE, and the reserved (grease) code points.

/** HTTP/3 frame types (RFC 9114 §7.2, RFC 9218 §7.2). */
export const H3FrameType = {
  /** §7.2.1 */
  DATA: 0x00,
  /** §7.2.2 */
  HEADERS: 0x01,
  /** §7.2.3 */
  CANCEL_PUSH: 0x03,
  /** §7.2.4 */
  SETTINGS: 0x04,
  /** §7.2.5 */
  PUSH_PROMISE: 0x05,
  /** §7.2.6 */
  GOAWAY: 0x07,
  /** §7.2.7 */
  MAX_PUSH_ID: 0x0d,
  /** RFC 9218 §7.2: PRIORITY_UPDATE for a request stream. */
  PRIORITY_UPDATE_REQUEST: 0xf0700,
  /** RFC 9218 §7.2: PRIORITY_UPDATE for a push stream. */
  PRIORITY_UPDATE_PUSH: 0xf0701,
} as const;
export type H3FrameType = (typeof H3FrameType)[keyof typeof H3FrameType];

/**
 * RFC 9114 §7.2.8 / §11.2.1: HTTP/2 frame types with no HTTP/3 counterpart (PRIORITY 0x02, PING 0x06, WINDOW_UPDATE
 * 0x08, CONTINUATION 0x09). They MUST NOT be sent; receiving one is H3_FRAME_UNEXPECTED.
 */
export function isHttp2ReservedFrameType(type: number): boolean {
  return type === 0x02 || type === 0x06 || type === 0x08 || type === 0x09;
}

/**
 * RFC 9114 §7.2.8, §7.2.4.1, §6.2.3, §8.1: code points of the form 0x1f·N + 0x21 are reserved for grease in every
 * registry (frame types, settings, stream types, error codes) and carry no meaning.
 */
export function isGreaseCodePoint(value: number): boolean {
  return value >= 0x21 && (value - 0x21) % 0x1f === 0;
}

/**
 * A reserved (grease) code point 0x1f·N + 0x21 for `random` in [0, 1). N is kept below 2^30 so the value stays an
 * exact `number` (< 2^35) while still exercising multi-byte varints.
 */
export function greaseCodePoint(random: number): number {
  const n = Math.floor(random * 2 ** 30);
  return 0x1f * n + 0x21;
}

/** Whether `type` is one of the frame types this implementation understands. */
export function isKnownFrameType(type: number): boolean {
  switch (type) {
    case H3FrameType.DATA:
    case H3FrameType.HEADERS:
    case H3FrameType.CANCEL_PUSH:
    case H3FrameType.SETTINGS:
    case H3FrameType.PUSH_PROMISE:
    case H3FrameType.GOAWAY:
    case H3FrameType.MAX_PUSH_ID:
    case H3FrameType.PRIORITY_UPDATE_REQUEST:
    case H3FrameType.PRIORITY_UPDATE_PUSH:
      return true;
    default:
      return false;
  }
}

/** A readable name for logs and errors: `HEADERS`, `RESERVED_H2(0x6)`, `GREASE(0x21)`, `UNKNOWN(0x1234)`. */
export function frameTypeName(type: number): string {
  switch (type) {
    case H3FrameType.DATA:
      return 'DATA';
    case H3FrameType.HEADERS:
      return 'HEADERS';
    case H3FrameType.CANCEL_PUSH:
      return 'CANCEL_PUSH';
    case H3FrameType.SETTINGS:
      return 'SETTINGS';
    case H3FrameType.PUSH_PROMISE:
      return 'PUSH_PROMISE';
    case H3FrameType.GOAWAY:
      return 'GOAWAY';
    case H3FrameType.MAX_PUSH_ID:
      return 'MAX_PUSH_ID';
    case H3FrameType.PRIORITY_UPDATE_REQUEST:
      return 'PRIORITY_UPDATE(request)';
    case H3FrameType.PRIORITY_UPDATE_PUSH:
      return 'PRIORITY_UPDATE(push)';
  }
  if (isHttp2ReservedFrameType(type)) return `RESERVED_H2(0x${type.toString(16)})`;
  if (isGreaseCodePoint(type)) return `GREASE(0x${type.toString(16)})`;
  return `UNKNOWN(0x${type.toString(16)})`;
}

/** RFC 9114 §6.2 / RFC 9204 §4.2: unidirectional stream types. */
export const H3StreamType = {
  /** RFC 9114 §6.2.1 */
  CONTROL: 0x00,
  /** RFC 9114 §6.2.2 */
  PUSH: 0x01,
  /** RFC 9204 §4.2 */
  QPACK_ENCODER: 0x02,
  /** RFC 9204 §4.2 */
  QPACK_DECODER: 0x03,
} as const;
export type H3StreamType = (typeof H3StreamType)[keyof typeof H3StreamType];
