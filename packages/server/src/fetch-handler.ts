import type { Http3Request } from './exchange/request.js';
import type { Http3Response, PushOptions } from './exchange/response.js';
import type { Http3Handler } from './handler.js';

/** What a fetch-style handler gets besides the WHATWG `Request`. */
export interface FetchContext {
  /** The HTTP/3 request underneath (pseudo-headers, 0-RTT flag, priority, trailers). */
  readonly request: Http3Request;
  /** The HTTP/3 response underneath (do not write it yourself: return a `Response`). */
  readonly response: Http3Response;
  /** Promises a push (RFC 9114 §4.6); see `Http3Response.push`. */
  push(path: string, options?: PushOptions): Http3Response | undefined;
  /** Sends 103 Early Hints (RFC 8297) before the response. */
  earlyHints(links: string | readonly string[]): void;
}

/** A fetch-style handler: a WHATWG `Request` in, a `Response` out (as in service workers, Deno, Bun, Hono). */
export type FetchStyleHandler = (request: Request, context: FetchContext) => Response | Promise<Response>;

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

/**
 * Adapts a fetch-style handler to the server: the request becomes a WHATWG `Request` (its body a streaming
 * `ReadableStream` read with backpressure, its `signal` aborted when the client goes away); the returned
 * `Response`'s status, headers and body (streamed with backpressure) are sent back.
 *
 * ```ts
 * await createHttp3Server({ handler: fetchHandler((req) => new Response(`hello ${new URL(req.url).pathname}`)) });
 * ```
 */
export function fetchHandler(fn: FetchStyleHandler): Http3Handler {
  return async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of req.headers) if (name.charCodeAt(0) !== 0x3a) headers.append(name, value);
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, signal: req.signal };
    if (!NO_BODY_METHODS.has(req.method)) {
      init.body = req.body;
      init.duplex = 'half'; // a streaming request body (Fetch standard)
    }
    const request = new Request(req.url, init);
    const context: FetchContext = {
      request: req,
      response: res,
      push: (path, options) => res.push(path, options),
      earlyHints: (links) => res.earlyHints(links),
    };
    const response = await fn(request, context);
    res.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') res.appendHeader(name, value);
    });
    // Headers joins set-cookie values with ", " (which breaks dates in cookies): send them one per field line
    for (const cookie of response.headers.getSetCookie()) res.appendHeader('set-cookie', cookie);
    await res.send(response.body);
  };
}
