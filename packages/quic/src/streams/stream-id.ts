// RFC 9000 §2.1: stream IDs. Bit 0x01 = initiator (0 client, 1 server), bit 0x02 = direction (0 bidi, 1 uni).

/** Which endpoint this is. */
export type EndpointRole = 'client' | 'server';

/** The two low bits of a stream ID (RFC 9000 §2.1 Table 1). */
export const StreamType = {
  CLIENT_BIDI: 0x00,
  SERVER_BIDI: 0x01,
  CLIENT_UNI: 0x02,
  SERVER_UNI: 0x03,
} as const;
export type StreamType = (typeof StreamType)[keyof typeof StreamType];

/** RFC 9000 §4.6, §19.11: a stream count above 2^60 would allow stream IDs beyond 2^62 - 1. */
export const MAX_STREAM_COUNT = 2 ** 60;

/** The stream type (0-3) of `streamId`. */
export function streamType(streamId: number): StreamType {
  // `% 4` rather than `& 3`: stream IDs can exceed 2^31.
  return (streamId % 4) as StreamType;
}

/** RFC 9000 §2.1: bit 0x02 clear = bidirectional. */
export function isBidirectional(streamId: number): boolean {
  return streamId % 4 < 2;
}

/** RFC 9000 §2.1: bit 0x01 clear = client-initiated. */
export function isClientInitiated(streamId: number): boolean {
  return streamId % 2 === 0;
}

/** Whether `role` initiated `streamId`. */
export function isLocallyInitiated(streamId: number, role: EndpointRole): boolean {
  return isClientInitiated(streamId) === (role === 'client');
}

/** The 0-based sequence number of `streamId` within its type: the n-th stream of that type has index n - 1. */
export function streamIndex(streamId: number): number {
  return Math.floor(streamId / 4);
}

/** The stream ID of the `index`-th stream of `type` (RFC 9000 §2.1: successive IDs of a type differ by 4). */
export function streamIdOf(type: StreamType, index: number): number {
  return index * 4 + type;
}

/** The stream type an endpoint with `role` uses for streams it opens. */
export function localStreamType(role: EndpointRole, bidirectional: boolean): StreamType {
  return ((role === 'client' ? 0 : 1) | (bidirectional ? 0 : 2)) as StreamType;
}
