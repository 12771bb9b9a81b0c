// The events an H3Connection reports through `pollEvent()`: a discriminated union on `type`.

import type { H3Settings } from '../frames/settings.js';
import type { H3Headers } from '../message/headers.js';
import type { RequestInfo } from '../message/validation.js';
import type { H3Priority } from '../priority/priority.js';
import type { H3ClientRequest } from './client-request.js';

/** Fields shared by the events of one message stream (request stream, or push stream). */
interface StreamEventBase {
  /** The QUIC stream: a request stream, or (pushed responses) a push stream. */
  readonly streamId: number;
  /** Client: the request handle this event belongs to (absent for pushed responses). */
  readonly request?: H3ClientRequest;
  /** The push ID when the stream is a push stream (RFC 9114 §4.6). */
  readonly pushId?: number;
}

/** Everything an H3Connection reports. */
export type H3Event =
  /** The peer's SETTINGS arrived (RFC 9114 §7.2.4). */
  | { readonly type: 'settings'; readonly settings: H3Settings }
  /** Server: a request header section arrived and is valid (RFC 9114 §4.1). Its body follows as 'data' events. */
  | (StreamEventBase & {
      readonly type: 'request';
      readonly headers: H3Headers;
      readonly info: RequestInfo;
      /** RFC 9218: from the `priority` header field, overridden by a PRIORITY_UPDATE received earlier. */
      readonly priority: H3Priority;
    })
  /** Client: an interim (1xx) response (RFC 9114 §4.1); more may follow before the final response. */
  | (StreamEventBase & { readonly type: 'informational'; readonly status: number; readonly headers: H3Headers })
  /** Client: the final response header section (RFC 9114 §4.1). */
  | (StreamEventBase & { readonly type: 'response'; readonly status: number; readonly headers: H3Headers })
  /** A piece of the message content (DATA frame payload), a view the receiver may keep. */
  | (StreamEventBase & { readonly type: 'data'; readonly data: Uint8Array })
  /** The trailer section (RFC 9114 §4.1). */
  | (StreamEventBase & { readonly type: 'trailers'; readonly headers: H3Headers })
  /** The message is complete (the peer closed the stream cleanly and the message was well formed). */
  | (StreamEventBase & { readonly type: 'end' })
  /**
   * The exchange on this stream failed: we reset it (`local`, e.g. a malformed message, H3_MESSAGE_ERROR), or the
   * peer reset it (RESET_STREAM with `code`). `retryable`: the request was certainly not processed (RFC 9114 §4.1.1
   * H3_REQUEST_REJECTED, or above the peer's GOAWAY, §5.2) and can be retried on another connection.
   */
  | (StreamEventBase & {
      readonly type: 'stream-error';
      readonly code: number;
      readonly local: boolean;
      readonly retryable: boolean;
      readonly reason?: string;
    })
  /**
   * The peer asked us to stop sending on this stream (STOP_SENDING, RFC 9000 §3.5); the transport reset our sending
   * part. For a client with code H3_NO_ERROR the server simply does not need the rest of the request (RFC 9114 §4.1):
   * keep reading the response.
   */
  | (StreamEventBase & { readonly type: 'stop-sending'; readonly code: number })
  /** Our sending part drained below the transport's high-water mark after a write returned false. */
  | (StreamEventBase & { readonly type: 'writable' })
  /** Client: the server promised a push on `streamId` (the request stream), RFC 9114 §4.6. */
  | {
      readonly type: 'push-promise';
      readonly streamId: number;
      readonly request: H3ClientRequest | undefined;
      readonly pushId: number;
      readonly headers: H3Headers;
      /** The same push ID was promised before (on another request stream, with identical fields). */
      readonly duplicate: boolean;
    }
  /** The peer sent CANCEL_PUSH (RFC 9114 §7.2.3). */
  | { readonly type: 'push-cancelled'; readonly pushId: number }
  /** Server: a PRIORITY_UPDATE changed a request's or push's priority (RFC 9218 §7.2); already applied. */
  | { readonly type: 'priority'; readonly streamId: number; readonly pushId?: number; readonly priority: H3Priority }
  /**
   * The peer sent GOAWAY (RFC 9114 §5.2): client: `id` is the first request stream the server will not process;
   * server: the first push ID the client will not accept. No new requests (client) or pushes (server) are allowed.
   */
  | { readonly type: 'goaway'; readonly id: number }
  /** We detected a connection error (RFC 9114 §8) and closed the connection with `code`. A 'closed' event follows. */
  | { readonly type: 'connection-error'; readonly code: number; readonly reason: string; readonly error?: unknown }
  /** The connection is closed (by us: `local`; or by the peer or the transport). The last event. */
  | { readonly type: 'closed'; readonly code: number; readonly reason: string; readonly local: boolean };

/** The `type` of an event. */
export type H3EventType = H3Event['type'];
