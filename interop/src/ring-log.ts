import { HarnessError, HarnessErrorCode } from './errors.js';

interface Waiter {
  test: (line: string) => boolean;
  resolve: (line: string) => void;
}

/**
 * The bounded tail of a text stream (a peer's stdout or stderr): keeps the last `capacityBytes` characters,
 * splits lines, and lets a test wait for a line. Memory stays bounded however chatty the peer is.
 */
export class RingLog {
  readonly capacityBytes: number;
  private chunks: string[] = [];
  private retained = 0;
  private total = 0;
  private partial = '';
  private waiters: Waiter[] = [];
  private listeners: ((line: string) => void)[] = [];
  private ended = false;
  private endWaiters: (() => void)[] = [];

  constructor(capacityBytes = 256 * 1024) {
    if (!(capacityBytes > 0)) throw new RangeError('capacityBytes must be positive');
    this.capacityBytes = capacityBytes;
  }

  /** Characters written so far (retained or not). */
  get totalBytes(): number {
    return this.total;
  }

  /** Characters dropped from the front to stay within capacity. */
  get droppedBytes(): number {
    return this.total - this.retained;
  }

  /** Appends output; complete lines go to listeners and waiters. */
  write(chunk: string): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.retained += chunk.length;
    while (this.retained > this.capacityBytes && this.chunks.length > 0) {
      const first = this.chunks[0];
      const excess = this.retained - this.capacityBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.retained -= first.length;
      } else {
        this.chunks[0] = first.slice(excess);
        this.retained -= excess;
      }
    }
    if (this.listeners.length === 0 && this.waiters.length === 0) {
      // Nobody consumes lines: keep only the unfinished tail (bounded like the log).
      const nl = chunk.lastIndexOf('\n');
      this.partial = nl < 0 ? (this.partial + chunk).slice(-this.capacityBytes) : chunk.slice(nl + 1);
      return;
    }
    let text = this.partial + chunk;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.emit(text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    this.partial = text.length > this.capacityBytes ? text.slice(-this.capacityBytes) : text;
  }

  /** Marks the stream finished: an unterminated last line is emitted, and pending waits fail. */
  end(): void {
    if (this.ended) return;
    if (this.partial.length > 0 && (this.listeners.length > 0 || this.waiters.length > 0)) this.emit(this.partial);
    this.partial = '';
    this.ended = true;
    for (const w of this.endWaiters.splice(0)) w();
  }

  private emit(line: string): void {
    for (const l of this.listeners) l(line);
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.test(line)) w.resolve(line);
      else still.push(w);
    }
    this.waiters = still;
  }

  /** The retained tail as one string. */
  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  /** The retained tail split into lines (the first may be cut when output was dropped). */
  lines(): string[] {
    const t = this.text();
    if (t.length === 0) return [];
    const lines = t.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  /** The last `maxChars` characters (for error messages). */
  tail(maxChars = 4000): string {
    const t = this.text();
    return t.length > maxChars ? t.slice(-maxChars) : t;
  }

  /** Calls `listener` with every complete line written from now on. Returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Resolves with the first line (already retained, or written later) that matches; rejects with
   * {@link HarnessError} `TIMEOUT` after `timeoutMs`, or `BAD_OUTPUT` when the stream ends without a match.
   */
  waitFor(pattern: RegExp | ((line: string) => boolean), timeoutMs: number): Promise<string> {
    const test = typeof pattern === 'function' ? pattern : (line: string) => pattern.test(line);
    for (const line of this.lines()) if (test(line)) return Promise.resolve(line);
    if (this.partial.length > 0 && test(this.partial)) return Promise.resolve(this.partial);
    if (this.ended) {
      return Promise.reject(
        new HarnessError(HarnessErrorCode.BAD_OUTPUT, `stream ended without a line matching ${pattern}`),
      );
    }
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.endWaiters = this.endWaiters.filter((w) => w !== onEnd);
      };
      const waiter: Waiter = {
        test,
        resolve: (line) => {
          done();
          resolve(line);
        },
      };
      const onEnd = () => {
        done();
        reject(new HarnessError(HarnessErrorCode.BAD_OUTPUT, `stream ended without a line matching ${pattern}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new HarnessError(HarnessErrorCode.TIMEOUT, `no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
      this.endWaiters.push(onEnd);
    });
  }
}
