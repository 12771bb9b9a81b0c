import type { Clock, Timer } from '@fos/core';
import { AbortError, TimeoutError } from '../errors.js';

export interface RequestContextOptions {
  readonly clock: Clock;
  readonly signal: AbortSignal | null | undefined;
  /** 0 / undefined: none. */
  readonly idleTimeoutMs: number | undefined;
  readonly totalTimeoutMs: number | undefined;
  readonly connectTimeoutMs: number;
  /** Called once when the context is disposed. */
  readonly onDispose?: (ctx: RequestContext) => void;
}

/**
 * The life of one `fetch()` call: one internal AbortSignal that fires with a typed reason when the caller aborts
 * (`AbortError`), the total timeout expires or no progress is made for the idle timeout (`TimeoutError`). Every
 * transport listens to `signal` only. Disposed when the response body ends (or the fetch fails).
 */
export class RequestContext {
  readonly startMs: number;
  readonly connectTimeoutMs: number;
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private readonly userSignal: AbortSignal | undefined;
  private readonly idleTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private idleTimer: Timer | undefined;
  private totalTimer: Timer | undefined;
  private disposed = false;
  private readonly onDisposeHook: ((ctx: RequestContext) => void) | undefined;
  private readonly onUserAbort = (): void => {
    this.fail(new AbortError({ cause: this.userSignal?.reason }));
  };

  constructor(options: RequestContextOptions) {
    this.clock = options.clock;
    this.startMs = options.clock.now();
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.totalTimeoutMs = options.totalTimeoutMs ?? 0;
    this.userSignal = options.signal ?? undefined;
    this.onDisposeHook = options.onDispose;
    if (this.userSignal?.aborted) {
      this.onUserAbort();
      return;
    }
    this.userSignal?.addEventListener('abort', this.onUserAbort, { once: true });
    if (this.totalTimeoutMs > 0) {
      this.totalTimer = this.clock.createTimer(() => this.fail(new TimeoutError('total', this.totalTimeoutMs)));
      this.totalTimer.set(this.startMs + this.totalTimeoutMs);
    }
  }

  /** Fires (once) with the reason the request must stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws the abort reason if the request was stopped. */
  throwIfAborted(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  /** Progress was made (request sent, headers or a body chunk received): the idle timer starts over. */
  touch(): void {
    if (this.idleTimeoutMs <= 0 || this.disposed) return;
    this.idleTimer ??= this.clock.createTimer(() => this.fail(new TimeoutError('idle', this.idleTimeoutMs)));
    this.idleTimer.set(this.clock.now() + this.idleTimeoutMs);
  }

  /** Stops the request with `error` as the signal's reason. */
  fail(error: unknown): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(error);
    this.dispose();
  }

  /** The exchange is over: timers and listeners go away. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.idleTimer?.clear();
    this.totalTimer?.clear();
    this.userSignal?.removeEventListener('abort', this.onUserAbort);
    this.onDisposeHook?.(this);
  }

  /** Whether the exchange is over (timers and listeners gone). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Milliseconds since the fetch started. */
  elapsedMs(): number {
    return this.clock.now() - this.startMs;
  }
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as the signal fires (the promise's own outcome is
 * then ignored).
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
