import type { HttpProtocol } from '../protocol.js';

/** Why a request that could have used HTTP/3 did not. */
export type FallbackReason =
  /** The QUIC attempt failed (no reply, handshake error, version mismatch …) and TCP was used. */
  | 'h3-failed'
  /** TCP connected before QUIC did (the race). */
  | 'h3-slower'
  /** The alternative is marked broken after an earlier failure; QUIC was not tried. */
  | 'h3-broken'
  /** The HTTP/3 request failed in a way that allowed a retry over TCP (0-RTT rejected, H3_VERSION_FALLBACK …). */
  | 'h3-retry'
  /** The alternative answered 421 Misdirected Request (RFC 7838 §6). */
  | 'misdirected';

/** How a response was obtained. */
export interface ResponseInfo {
  /** The HTTP version the response travelled over. */
  readonly protocol: HttpProtocol;
  /** The Alt-Svc alternative used (`host:port`), when HTTP/3 was reached through Alt-Svc. */
  readonly alternative: string | undefined;
  /** The request went over a connection that had served earlier requests. */
  readonly reusedConnection: boolean;
  /** Handshake time of the connection used (TCP+TLS, or QUIC), in ms; undefined for cleartext or unknown. */
  readonly handshakeMs: number | undefined;
  /** TLS resumed a previous session (PSK from a ticket). */
  readonly resumed: boolean;
  /** The request was sent as 0-RTT early data. */
  readonly earlyData: boolean;
  /** Set when HTTP/3 was possible but not used, and why. */
  readonly fallback: FallbackReason | undefined;
  /** Milliseconds from `fetch()` to the response headers (this hop, after redirects: of the final request). */
  readonly ttfbMs: number;
  /** Redirects followed to get here. */
  readonly redirects: number;
}

/**
 * The `Response` that `client.fetch` resolves with: a real WHATWG `Response` (Node's global) with its body
 * streaming from the connection, plus `protocol` and `info` describing how it was fetched. `url` and `redirected`
 * report the final URL and whether redirects were followed, as `fetch` does.
 */
export class ClientResponse extends Response {
  /** The HTTP version used: `'h3'`, `'h2'` or `'http/1.1'`. */
  readonly protocol: HttpProtocol;
  readonly info: ResponseInfo;
  /**
   * The trailer fields (RFC 9110 §6.5; HTTP/3 trailer section, RFC 9114 §4.1), available once the body has been
   * read to its end: resolves with an empty `Headers` when the response had none, rejects when the body failed.
   */
  readonly trailers: Promise<Headers>;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    init: { status: number; statusText: string; headers: Headers },
    info: ResponseInfo,
    url: string,
    trailers: Promise<Headers> = Promise.resolve(new Headers()),
  ) {
    super(body, init);
    this.protocol = info.protocol;
    this.info = info;
    this.trailers = trailers;
    trailers.catch(() => {});
    // Response's url/redirected are prototype getters over internal state; own properties shadow them.
    Object.defineProperty(this, 'url', { value: url, enumerable: true });
    Object.defineProperty(this, 'redirected', { value: info.redirects > 0, enumerable: true });
  }

  /** A copy with a teed body, keeping `protocol`, `info` and `url`. */
  declare clone: () => ClientResponse;
}

// Response declares `clone` as a property in its typings, so it is replaced on the prototype rather than overridden.
Object.defineProperty(ClientResponse.prototype, 'clone', {
  configurable: true,
  writable: true,
  value: function clone(this: ClientResponse): ClientResponse {
    const copy = Response.prototype.clone.call(this);
    return new ClientResponse(
      copy.body,
      { status: copy.status, statusText: copy.statusText, headers: copy.headers },
      this.info,
      this.url,
      this.trailers,
    );
  },
});

/** How `res` was fetched, or undefined when it did not come from `client.fetch`. */
export function responseInfo(res: Response): ResponseInfo | undefined {
  return res instanceof ClientResponse ? res.info : undefined;
}
