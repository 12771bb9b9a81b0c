/**
 * Events the stream layer reports to the connection / API layer (polled with `StreamManager.pollEvent()`).
 * RFC 9000 §2.4: the application is told when the peer opens or resets a stream, aborts reading, when data is
 * available, and when data can be written again.
 */
export type StreamEvent =
  /** The peer opened a stream (explicitly, or implicitly as a lower-numbered stream of the same type, §3.2). */
  | { readonly type: 'stream-opened'; readonly streamId: number; readonly bidirectional: boolean }
  /** Data (or the end of the stream) can be read. Edge-triggered: sent again only after a read returned nothing. */
  | { readonly type: 'readable'; readonly streamId: number }
  /** A `write()` returned false earlier and the buffered data has drained to half the high-water mark. */
  | { readonly type: 'writable'; readonly streamId: number }
  /** The peer reset its sending part (RESET_STREAM, §19.4); unread data was discarded. */
  | { readonly type: 'reset'; readonly streamId: number; readonly errorCode: number; readonly finalSize: number }
  /** The peer asked us to stop sending (STOP_SENDING, §19.5); the stream was reset in reply (§3.5). */
  | { readonly type: 'stop-sending'; readonly streamId: number; readonly errorCode: number }
  /** Everything written on the stream so far was acknowledged (its send buffer is empty). */
  | { readonly type: 'flushed'; readonly streamId: number }
  /** Both parts of the stream reached a terminal state; its state was released. */
  | { readonly type: 'closed'; readonly streamId: number }
  /** The peer raised its MAX_STREAMS limit after `openStream()` had failed: opening may succeed now. */
  | { readonly type: 'streams-available'; readonly bidirectional: boolean };

/**
 * A control frame the stream layer wants sent (RFC 9000 §19.4, §19.5, §19.9-§19.14), as plain values for the
 * connection to encode. Keep the record with the sent packet and hand it back to `handleControlFrameAcked` /
 * `handleControlFrameLost`; records are never mutated after they are returned. Each encodes to at most 25 bytes.
 */
export type StreamControlFrame =
  | { readonly type: 'max-data'; readonly maximumData: number }
  | { readonly type: 'max-stream-data'; readonly streamId: number; readonly maximumStreamData: number }
  | { readonly type: 'max-streams'; readonly bidirectional: boolean; readonly maximumStreams: number }
  | { readonly type: 'data-blocked'; readonly maximumData: number }
  | { readonly type: 'stream-data-blocked'; readonly streamId: number; readonly maximumStreamData: number }
  | { readonly type: 'streams-blocked'; readonly bidirectional: boolean; readonly maximumStreams: number }
  | {
      readonly type: 'reset-stream';
      readonly streamId: number;
      readonly applicationErrorCode: number;
      readonly finalSize: number;
    }
  | { readonly type: 'stop-sending'; readonly streamId: number; readonly applicationErrorCode: number };

/** Upper bound of the encoded size of any {@link StreamControlFrame} (RESET_STREAM: 1 + 3 × 8). */
export const MAX_STREAM_CONTROL_FRAME_BYTES = 25;
