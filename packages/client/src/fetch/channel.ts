import type { HttpProtocol } from '../protocol.js';
import type { PreparedRequest } from './prepared-request.js';
import type { RequestContext } from './request-context.js';
import { type BodySource, ResponseBody, type ResponseBodyHooks } from './response-body.js';

/** A response head and its body stream, as a channel delivers it. */
export interface ChannelResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** Null for HEAD and null-body statuses (the channel drains the wire itself). */
  readonly body: ReadableStream<Uint8Array> | null;
  /** The request went out as 0-RTT. */
  readonly earlyData: boolean;
  /**
   * The trailer section (RFC 9110 §6.5), resolved when the body ended (empty `Headers` when there was none);
   * rejects like the body. Undefined: the channel does not report trailers (treated as none).
   */
  readonly trailers?: Promise<Headers>;
}

/** A trailers promise whose rejection is never unhandled (callers may never look at trailers). */
export function quietTrailers(promise: Promise<Headers>): Promise<Headers> {
  promise.catch(() => {});
  return promise;
}

/**
 * A way to send one request to an origin, obtained from a transport: an HTTP/3 or HTTP/2 stream slot on a pooled
 * connection, or an HTTP/1.1 connection from the agent.
 */
export interface RequestChannel {
  readonly protocol: HttpProtocol;
  /** The connection served earlier requests. */
  readonly reused: boolean;
  readonly handshakeMs: number | undefined;
  readonly resumed: boolean;
  /**
   * Sends `req` and resolves with the final response head. Rejects with a typed `ClientError` (or the ctx signal's
   * reason). `hooks.onDone` fires once when the body ends, fails or is cancelled (also for null bodies).
   */
  send(req: PreparedRequest, ctx: RequestContext, hooks: ResponseBodyHooks): Promise<ChannelResponse>;
  /** Gives the channel back without using it. */
  abandon(): void;
}

/** fetch spec §2.2.6 null body status. */
export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

/** Whether the response carries no content for the caller (fetch spec §4.6 step "null body"). */
export function hasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || isNullBodyStatus(status);
}

/**
 * Wraps a body source for the caller: aborts and timeouts of `ctx` error the stream and cancel the source; every
 * chunk restarts the idle timer; `release` (the channel's cleanup) and then `hooks.onDone` run once at the end.
 */
export function createResponseBody(
  source: BodySource,
  ctx: RequestContext,
  hooks: ResponseBodyHooks,
  release: (error: unknown) => void,
): ResponseBody {
  let body: ResponseBody | undefined;
  const onAbort = (): void => body?.fail(ctx.signal.reason);
  body = new ResponseBody(source, {
    onProgress: () => {
      ctx.touch();
      hooks.onProgress();
    },
    onDone: (error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      release(error);
      hooks.onDone(error);
    },
  });
  if (ctx.signal.aborted) body.fail(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return body;
}

/** Response fields as `Headers`: pseudo-headers and values `Headers` rejects are skipped. */
export function headersFromPairs(pairs: Iterable<readonly [string, string]>): Headers {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    if (name.startsWith(':')) continue;
    try {
      headers.append(name, value);
    } catch {
      // An invalid field (RFC 9110 §5.5) is dropped rather than failing the whole response.
    }
  }
  return headers;
}

/** Node's raw header array [k1, v1, k2, v2, …] as pairs. */
export function* rawHeaderPairs(raw: readonly string[]): Generator<readonly [string, string]> {
  for (let i = 0; i + 1 < raw.length; i += 2) yield [raw[i].toLowerCase(), raw[i + 1]];
}

/** Request headers as a Node header object (duplicates other than set-cookie do not occur in `Headers`). */
export function headerObject(pairs: Iterable<readonly [string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of pairs) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
