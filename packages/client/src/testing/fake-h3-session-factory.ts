import type { Clock, EarlyDataState, QuicTlsSessionTicket } from '@fos/core';
import { CipherSuite } from '@fos/core';
import { Subject } from 'rxjs';
import { ClientErrorCode, H3ConnectError, type H3ConnectFailure, NetworkError, StreamResetError } from '../errors.js';
import type {
  H3ConnectOptions,
  H3ConnectTarget,
  H3Exchange,
  H3Request,
  H3RequestOptions,
  H3ResponseHead,
  H3Session,
  H3SessionEvent,
  H3SessionFactory,
} from '../h3/h3-session.js';
import { H3ErrorCode } from '../protocol.js';

/** What the fake server answers to one request. */
export interface FakeH3Reply {
  readonly status?: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** Content, sent as one DATA chunk per array element. */
  readonly body?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** Virtual ms between the request and the response head. */
  readonly delayMs?: number;
  /** Reset the stream with this HTTP/3 error code instead of answering. */
  readonly resetCode?: number;
  /** Never answer (for abort and timeout tests). */
  readonly hang?: boolean;
  /** Send the head and the body chunks but never end the stream (for aborts in the middle of a body). */
  readonly holdOpen?: boolean;
}

/** A request as the fake server received it. */
export interface FakeH3ReceivedRequest {
  readonly session: FakeH3Session;
  readonly streamId: number;
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Sent in 0-RTT. */
  readonly earlyData: boolean;
  /** The request content (resolved when the client finished sending it). */
  readonly body: Promise<Uint8Array>;
  /** Set when the client cancelled the request (RESET_STREAM/STOP_SENDING code). */
  cancelledWith: number | undefined;
}

export type FakeH3Handler = (request: FakeH3ReceivedRequest) => FakeH3Reply | Promise<FakeH3Reply>;

/** How one `connect` call behaves. */
export type FakeConnectBehavior =
  /** The handshake completes after `handshakeMs` (default: the factory's). */
  | { readonly kind: 'ok'; readonly handshakeMs?: number; readonly failHandshake?: H3ConnectFailure }
  /** No UDP reply ever: only the client's abort (connect timeout) ends it. */
  | { readonly kind: 'blackhole' }
  /** The attempt fails after `afterMs` with an `H3ConnectError` of this kind. */
  | { readonly kind: 'fail'; readonly afterMs?: number; readonly failure?: H3ConnectFailure };

export interface FakeH3SessionFactoryOptions {
  readonly clock: Clock;
  /** Default: 200 with body "h3 ok". */
  readonly handler?: FakeH3Handler;
  /** Default virtual handshake time, ms. Default 10. */
  readonly handshakeMs?: number;
  /** The server's initial bidirectional MAX_STREAMS. Default 100. */
  readonly maxStreams?: number;
  /** Virtual ms between a stream's end and the MAX_STREAMS credit it returns. Default 0. */
  readonly creditDelayMs?: number;
  /** Issue a session ticket after each handshake (enables resumption and 0-RTT). Default true. */
  readonly issueTickets?: boolean;
  /** Accept 0-RTT on resumption. Default true. */
  readonly acceptEarlyData?: boolean;
}

/** One recorded `connect` call. */
export interface FakeConnectRecord {
  readonly target: H3ConnectTarget;
  readonly options: H3ConnectOptions;
  readonly atMs: number;
  readonly behavior: FakeConnectBehavior;
  /** Resumed with a ticket from the client's session cache. */
  readonly resumed: boolean;
  session: FakeH3Session | undefined;
  error: unknown;
}

const encoder = new TextEncoder();

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? encoder.encode(v) : v;
}

/**
 * An in-memory HTTP/3 "server + network" implementing `H3SessionFactory`, on the injected (usually virtual) clock:
 * programmable handshake latency and failures (`nextConnect`), a stream limit with MAX_STREAMS credit, GOAWAY,
 * connection loss, session tickets and 0-RTT accept/reject. It records what the client did: connects, requests,
 * 0-RTT flags and cancellations.
 */
export class FakeH3SessionFactory implements H3SessionFactory {
  readonly connects: FakeConnectRecord[] = [];
  readonly sessions: FakeH3Session[] = [];
  readonly requests: FakeH3ReceivedRequest[] = [];
  handler: FakeH3Handler;
  /** Used when the `nextConnect` script is empty. */
  defaultBehavior: FakeConnectBehavior = { kind: 'ok' };
  private readonly script: FakeConnectBehavior[] = [];

  constructor(readonly options: FakeH3SessionFactoryOptions) {
    this.handler = options.handler ?? (() => ({ status: 200, body: 'h3 ok' }));
  }

  /** Queues behaviours for the next `connect` calls, in order. */
  nextConnect(...behaviors: FakeConnectBehavior[]): this {
    this.script.push(...behaviors);
    return this;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** Runs `fn` after `ms` of clock time (in a microtask when `ms` is 0). */
  after(ms: number, fn: () => void): void {
    if (ms <= 0) {
      queueMicrotask(fn);
      return;
    }
    this.clock.createTimer(fn).set(this.clock.now() + ms);
  }

  connect(target: H3ConnectTarget, options: H3ConnectOptions): Promise<H3Session> {
    const behavior = this.script.shift() ?? this.defaultBehavior;
    const signal = options.signal;
    const ticket =
      behavior.kind === 'ok' ? options.sessionCache.take(target.serverName, 'h3', this.clock.epochMs()) : undefined;
    const record: FakeConnectRecord = {
      target,
      options,
      atMs: this.clock.now(),
      behavior,
      resumed: ticket !== undefined,
      session: undefined,
      error: undefined,
    };
    this.connects.push(record);
    return new Promise<H3Session>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        record.error = error;
        reject(error);
      };
      if (signal.aborted) return fail(signal.reason);
      signal.addEventListener('abort', () => {
        fail(signal.reason);
        record.session?.closeFromPeer(signal.reason as Error);
      });
      if (behavior.kind === 'blackhole') return;
      if (behavior.kind === 'fail') {
        const failure = behavior.failure ?? 'handshake-failed';
        this.after(behavior.afterMs ?? 0, () => fail(new H3ConnectError(failure, `fake ${failure}`)));
        return;
      }
      const handshakeMs = behavior.handshakeMs ?? this.options.handshakeMs ?? 10;
      const early = ticket !== undefined && options.enableEarlyData && ticket.maxEarlyDataSize > 0;
      const session = new FakeH3Session(this, target, ticket !== undefined, early);
      session.handshakeWillFail = behavior.failHandshake !== undefined;
      record.session = session;
      this.sessions.push(session);
      if (early) {
        settled = true;
        resolve(session);
      }
      this.after(handshakeMs, () => {
        if (session.closed) return;
        if (behavior.failHandshake !== undefined) {
          const error = new H3ConnectError(behavior.failHandshake, `fake ${behavior.failHandshake}`);
          session.failHandshake(error);
          fail(error);
          return;
        }
        session.completeHandshake(handshakeMs);
        if (this.options.issueTickets ?? true) options.sessionCache.store(this.ticket(target.serverName));
        if (!settled) {
          settled = true;
          resolve(session);
        }
      });
    });
  }

  private ticket(serverName: string): QuicTlsSessionTicket {
    return {
      serverName,
      alpnProtocol: 'h3',
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      ticket: new Uint8Array([1, 2, 3, 4]),
      psk: new Uint8Array(32),
      ageAdd: 0,
      receivedAtEpochMs: this.clock.epochMs(),
      lifetimeSeconds: 7200,
      maxEarlyDataSize: 0xffffffff,
    };
  }
}

/** One fake HTTP/3 connection. Tests drive the peer's side with `sendGoaway`, `closeFromPeer`. */
export class FakeH3Session implements H3Session {
  readonly alpnProtocol = 'h3';
  readonly events$ = new Subject<H3SessionEvent>();
  readonly remoteAddress: { host: string; port: number };
  readonly handshake: Promise<void>;
  handshakeComplete = false;
  handshakeMs: number | undefined;
  earlyData: EarlyDataState;
  goingAway = false;
  closed = false;
  /** Set when the client closed the session (code). */
  closedByClientWith: number | undefined;
  /** @internal the scripted handshake fails: 0-RTT requests are never answered. */
  handshakeWillFail = false;
  /** Peak of concurrently open request streams. */
  maxConcurrent = 0;
  private credit: number;
  private open = 0;
  private nextStreamId = 0;
  private readonly live = new Set<FakeExchange>();
  private resolveHandshake!: () => void;
  private rejectHandshake!: (e: unknown) => void;

  constructor(
    private readonly factory: FakeH3SessionFactory,
    readonly target: H3ConnectTarget,
    readonly resumed: boolean,
    early: boolean,
  ) {
    this.remoteAddress = { host: target.host, port: target.port };
    this.earlyData = early ? 'offered' : 'not-offered';
    this.credit = factory.options.maxStreams ?? 100;
    this.handshake = new Promise<void>((resolve, reject) => {
      this.resolveHandshake = resolve;
      this.rejectHandshake = reject;
    });
    this.handshake.catch(() => {});
  }

  get canSendEarlyData(): boolean {
    return !this.handshakeComplete && !this.closed && this.earlyData === 'offered';
  }

  availableStreams(): number {
    return this.closed || this.goingAway ? 0 : this.credit;
  }

  /** @internal */
  completeHandshake(handshakeMs: number): void {
    this.handshakeComplete = true;
    this.handshakeMs = handshakeMs;
    if (this.earlyData === 'offered') {
      const accepted = this.factory.options.acceptEarlyData ?? true;
      this.earlyData = accepted ? 'accepted' : 'rejected';
      if (!accepted) {
        // RFC 9001 §4.6.2: what went in 0-RTT is lost; the client sends it again.
        for (const ex of [...this.live]) {
          if (ex.earlyData) ex.fail(new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true));
        }
      }
    }
    this.resolveHandshake();
    this.events$.next({ type: 'handshake-complete' });
  }

  /** @internal */
  failHandshake(error: H3ConnectError): void {
    this.rejectHandshake(error);
    for (const ex of [...this.live]) ex.fail(error);
    this.markClosed(error);
  }

  /**
   * The server sends GOAWAY (RFC 9114 §5.2). Requests on streams with id ≥ `lastStreamId` (default: none of the open
   * ones) were not processed and fail as retryable.
   */
  sendGoaway(lastStreamId = this.nextStreamId): void {
    if (this.closed) return;
    this.goingAway = true;
    for (const ex of [...this.live]) {
      if (ex.streamId >= lastStreamId) ex.fail(new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true));
    }
    this.events$.next({ type: 'goaway', lastStreamId });
  }

  /** The connection dies (idle timeout, network loss, CONNECTION_CLOSE from the server). */
  closeFromPeer(error?: Error): void {
    if (this.closed) return;
    const failure =
      error ?? new NetworkError(ClientErrorCode.CONNECTION_RESET, 'fake HTTP/3 connection lost', undefined);
    for (const ex of [...this.live]) ex.fail(failure);
    this.rejectHandshake(failure);
    this.markClosed(error);
  }

  close(errorCode: number = H3ErrorCode.H3_NO_ERROR): void {
    if (this.closed) return;
    this.closedByClientWith = errorCode;
    const failure = new NetworkError(ClientErrorCode.CONNECTION_RESET, 'HTTP/3 connection closed locally', undefined);
    for (const ex of [...this.live]) ex.fail(failure);
    this.rejectHandshake(failure);
    this.markClosed(undefined);
  }

  request(request: H3Request, options: H3RequestOptions): H3Exchange {
    if (this.closed || this.goingAway || this.credit <= 0) {
      throw new StreamResetError('h3', H3ErrorCode.H3_REQUEST_REJECTED, true);
    }
    if (options.earlyData && !this.canSendEarlyData) throw new Error('fake: 0-RTT requested without 0-RTT keys');
    if (!options.earlyData && !this.handshakeComplete) throw new Error('fake: 1-RTT request before the handshake');
    this.credit--;
    this.open++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    const streamId = this.nextStreamId;
    this.nextStreamId += 4;
    const ex = new FakeExchange(this, streamId, options.earlyData);
    this.live.add(ex);
    const received: FakeH3ReceivedRequest = {
      session: this,
      streamId,
      method: request.method,
      authority: request.authority,
      path: request.path,
      headers: request.headers,
      earlyData: options.earlyData,
      body: collect(request.body),
      cancelledWith: undefined,
    };
    ex.received = received;
    this.factory.requests.push(received);
    void this.serve(ex, received);
    return ex;
  }

  private async serve(ex: FakeExchange, received: FakeH3ReceivedRequest): Promise<void> {
    let reply: FakeH3Reply;
    try {
      // A server that will reject 0-RTT (or whose handshake fails) never processes early data (RFC 9001 §4.6.2).
      if (ex.earlyData && (this.handshakeWillFail || !(this.factory.options.acceptEarlyData ?? true))) {
        await this.handshake;
        if (ex.finished) return;
      }
      await received.body;
      reply = await this.factory.handler(received);
    } catch (e) {
      ex.fail(e);
      return;
    }
    if (reply.hang) return;
    this.factory.after(reply.delayMs ?? 0, () => {
      if (ex.finished) return;
      if (reply.resetCode !== undefined) {
        ex.fail(new StreamResetError('h3', reply.resetCode, reply.resetCode === H3ErrorCode.H3_REQUEST_REJECTED));
        return;
      }
      const chunks =
        reply.body === undefined ? [] : Array.isArray(reply.body) ? reply.body : [reply.body as string | Uint8Array];
      ex.respond({ status: reply.status ?? 200, headers: reply.headers ?? [] }, chunks.map(toBytes), !reply.holdOpen);
    });
  }

  /** @internal a stream ended: MAX_STREAMS credit comes back after the configured delay. */
  streamDone(ex: FakeExchange): void {
    if (!this.live.delete(ex)) return;
    this.open--;
    this.factory.after(this.factory.options.creditDelayMs ?? 0, () => {
      if (this.closed) return;
      this.credit++;
      this.events$.next({ type: 'streams-available' });
    });
  }

  private markClosed(error: Error | undefined): void {
    this.closed = true;
    this.events$.next({ type: 'closed', error });
    this.events$.complete();
  }
}

async function collect(body: H3Request['body']): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

class FakeExchange implements H3Exchange {
  readonly response: Promise<H3ResponseHead>;
  readonly body: ReadableStream<Uint8Array>;
  received!: FakeH3ReceivedRequest;
  finished = false;
  private resolveHead!: (head: H3ResponseHead) => void;
  private rejectHead!: (e: unknown) => void;
  private controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(
    private readonly session: FakeH3Session,
    readonly streamId: number,
    readonly earlyData: boolean,
  ) {
    this.response = new Promise<H3ResponseHead>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.response.catch(() => {});
    this.body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => this.cancel(H3ErrorCode.H3_REQUEST_CANCELLED),
    });
  }

  respond(head: H3ResponseHead, chunks: Uint8Array[], end: boolean): void {
    if (this.finished) return;
    this.resolveHead(head);
    for (const c of chunks) this.controller.enqueue(c);
    if (!end) return;
    this.controller.close();
    this.finished = true;
    this.session.streamDone(this);
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.rejectHead(error);
    try {
      this.controller.error(error);
    } catch {
      // already closed
    }
    this.session.streamDone(this);
  }

  cancel(errorCode: number, reason?: unknown): void {
    if (this.finished) return;
    this.received.cancelledWith = errorCode;
    this.fail(reason ?? new StreamResetError('h3', errorCode, false));
  }
}
