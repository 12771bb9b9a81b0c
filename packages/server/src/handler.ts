import type { Http3Request } from './exchange/request.js';
import type { Http3Response } from './exchange/response.js';

/**
 * Answers one request: read `request` (headers, streaming body, trailers) and produce `response` (status, headers,
 * a streaming body, trailers, interim responses, pushes). The response must be ended (`end()`, `send()`) or reset.
 *
 * A handler that throws (or whose promise rejects) gets a `500` when nothing was sent yet, otherwise its stream is
 * reset with H3_INTERNAL_ERROR (RFC 9114 §8.1); the server keeps running and reports the error to `onError`.
 * For a fetch-style `(request: Request) => Response` function, wrap it with `fetchHandler`.
 */
export type Http3Handler = (request: Http3Request, response: Http3Response) => void | Promise<void>;
