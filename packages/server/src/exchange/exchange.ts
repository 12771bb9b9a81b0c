import type { H3Headers, H3Priority, RequestInfo } from '@fos/http3';
import type { AccessLogEntry } from '../access-log.js';
import { Http3Request } from './request.js';
import type { RequestBody } from './request-body.js';
import { Http3Response, type PushOptions, type ResponseHost } from './response.js';
import type { ResponseSink } from './response-sink.js';

/** What an exchange needs from its session (internal). */
export interface ExchangeHost {
  flush(): void;
  dateHeader(): string | undefined;
  readonly serverHeader: string | undefined;
  readonly remoteAddress: AccessLogEntry['remoteAddress'];
  now(): number;
  epochMs(): number;
  push(parent: Exchange, path: string, options: PushOptions): Http3Response | undefined;
  exchangeDone(exchange: Exchange): void;
  responseError(exchange: Exchange, error: unknown): void;
}

/** The pieces of one exchange. */
export interface ExchangeInit {
  readonly streamId: number;
  readonly pushId?: number;
  readonly headers: H3Headers;
  readonly info: RequestInfo;
  readonly priority: H3Priority;
  readonly earlyData: boolean;
  readonly body: RequestBody | undefined;
  readonly sink: ResponseSink;
}

/**
 * One request and its response (or a promised push and its pushed response): routes the session's stream events
 * to both halves and reports the exchange once both are over (RFC 9114 §4.1).
 */
export class Exchange implements ResponseHost {
  readonly request: Http3Request;
  readonly response: Http3Response;
  readonly startedMs: number;
  readonly startedEpochMs: number;
  /** Whether the handler was called (early requests with unsafe methods may wait for the handshake). */
  dispatched = false;
  private readonly body: RequestBody | undefined;
  private requestOver: boolean;
  private responseOver = false;
  private reported = false;

  constructor(
    private readonly host: ExchangeHost,
    init: ExchangeInit,
  ) {
    this.body = init.body;
    this.requestOver = init.body === undefined;
    this.request = new Http3Request({
      streamId: init.streamId,
      pushId: init.pushId,
      headers: init.headers,
      info: init.info,
      priority: init.priority,
      remoteAddress: host.remoteAddress,
      earlyData: init.earlyData,
      body: init.body,
    });
    this.response = new Http3Response(this, init.sink, init.info.method, init.pushId);
    this.startedMs = host.now();
    this.startedEpochMs = host.epochMs();
  }

  /** Both halves are over (the session forgets the exchange). */
  get over(): boolean {
    return this.requestOver && this.responseOver;
  }

  // ------------------------------------------------------------------ stream events (session)

  onData(chunk: Uint8Array): void {
    this.body?.push(chunk);
  }

  onTrailers(headers: H3Headers): void {
    this.request.onTrailers(headers);
  }

  onEnd(): void {
    this.body?.end();
    this.request.onBodyDone();
    this.requestOver = true;
    this.check();
  }

  /** The stream failed in both directions (a reset by either side, RFC 9114 §4.1.1), or the connection closed. */
  onStreamError(code: number | undefined, message: string): void {
    this.request.onAbort(code, message);
    this.requestOver = true;
    this.response.onAbort(code, message);
    this.check();
  }

  /** STOP_SENDING: the client does not want the response (RFC 9000 §3.5); the transport reset our side. */
  onStopSending(code: number): void {
    this.response.onAbort(code, `the client stopped reading (0x${code.toString(16)})`);
    if (!this.requestOver) {
      this.request.onAbort(code, 'the client stopped reading the response');
      this.requestOver = true;
    }
    this.check();
  }

  onPriority(priority: H3Priority): void {
    this.request.priority = priority;
  }

  // ------------------------------------------------------------------ ResponseHost

  flush(): void {
    this.host.flush();
  }

  dateHeader(): string | undefined {
    return this.host.dateHeader();
  }

  get serverHeader(): string | undefined {
    return this.host.serverHeader;
  }

  push(_parent: Http3Response, path: string, options: PushOptions): Http3Response | undefined {
    return this.host.push(this, path, options);
  }

  onResponseDone(_response: Http3Response): void {
    this.responseOver = true;
    // RFC 9114 §4.1: a server that responded without needing the rest of the request asks the client to stop
    // sending (STOP_SENDING with H3_NO_ERROR); a body the handler is still reading is left alone.
    const body = this.body;
    if (!this.requestOver && body !== undefined && !body.consuming && !this.response.aborted) {
      body.cancel();
      this.request.onBodyDone();
      this.requestOver = true;
    }
    this.check();
  }

  onResponseError(_response: Http3Response, error: unknown): void {
    this.host.responseError(this, error);
  }

  /** The access log entry of this exchange. */
  logEntry(): AccessLogEntry {
    const req = this.request;
    const res = this.response;
    return {
      timeEpochMs: this.startedEpochMs,
      remoteAddress: req.remoteAddress,
      method: req.method,
      authority: req.authority,
      path: req.path,
      status: res.sentStatus,
      bytesSent: res.bytesSent,
      bytesReceived: req.bytesReceived,
      durationMs: this.host.now() - this.startedMs,
      streamId: res.streamId >= 0 ? res.streamId : req.streamId,
      pushId: res.pushId,
      earlyData: req.earlyData,
      resetCode: res.resetCode,
      userAgent: req.header('user-agent'),
    };
  }

  private check(): void {
    if (this.reported || !this.over) return;
    this.reported = true;
    this.host.exchangeDone(this);
  }
}
