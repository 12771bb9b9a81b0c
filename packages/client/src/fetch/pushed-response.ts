import { StreamResetError } from '../errors.js';
import type { H3PushPromise, H3Session } from '../h3/h3-session.js';
import { H3ErrorCode } from '../protocol.js';
import { headersFromPairs, quietTrailers } from './channel.js';
import { ClientResponse } from './client-response.js';

/** A response the server pushed (RFC 9114 §4.6), as `client.pushes$` delivers it. */
export interface PushedResponse {
  /** The promised request's URL (`https://` + its `:authority` and `:path`). */
  readonly url: string;
  readonly method: string;
  /** The promised request's fields. */
  readonly requestHeaders: Headers;
  /** The push ID (RFC 9114 §4.6). */
  readonly pushId: number;
  /** Resolves with the pushed response once its head arrived; rejects when the server cancels the push. */
  readonly response: Promise<ClientResponse>;
  /** Declines the push (CANCEL_PUSH or STOP_SENDING with H3_REQUEST_CANCELLED, RFC 9114 §4.6, §7.2.3). */
  cancel(): void;
}

/**
 * A session's push promise as a `PushedResponse`, or undefined (the push is declined) when the promised authority
 * is not the origin the connection serves: RFC 9114 §4.6 — the client must not consider the server authoritative
 * for another origin without verifying it, and this client does not.
 */
export function pushedResponse(promise: H3PushPromise, origin: URL, session: H3Session): PushedResponse | undefined {
  const exchange = promise.exchange;
  if (promise.scheme !== 'https' || promise.authority.toLowerCase() !== origin.host.toLowerCase()) {
    exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED);
    return undefined;
  }
  const url = `https://${origin.host}${promise.path}`;
  const response = exchange.response.then(
    (head) =>
      new ClientResponse(
        exchange.body,
        { status: head.status, statusText: '', headers: headersFromPairs(head.headers) },
        {
          protocol: 'h3',
          alternative: undefined,
          reusedConnection: true,
          handshakeMs: session.handshakeMs,
          resumed: session.resumed,
          earlyData: false,
          fallback: undefined,
          ttfbMs: 0,
          redirects: 0,
        },
        url,
        exchange.trailers === undefined ? undefined : quietTrailers(exchange.trailers.then((t) => headersFromPairs(t))),
      ),
  );
  response.catch(() => {});
  return {
    url,
    method: promise.method,
    requestHeaders: headersFromPairs(promise.headers),
    pushId: promise.pushId,
    response,
    cancel: () => exchange.cancel(H3ErrorCode.H3_REQUEST_CANCELLED, new StreamResetError('h3', 0x10c, false)),
  };
}
