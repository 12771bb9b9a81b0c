import type { BufferAllocator, BufferAllocatorStats } from '../contracts/buffer-allocator.js';
import { FosError } from '../errors.js';

export interface PoolAllocatorOptions {
  /** Size of every buffer; default 2048 (room for any QUIC datagram up to max_udp_payload_size 2048). */
  readonly bufferSize?: number;
  /** Buffers carved from one backing allocation when the free list is empty; default 64. */
  readonly slabBuffers?: number;
  /** Most buffers kept on the free list; releases beyond it are dropped for the GC. Default 4096. */
  readonly maxPooled?: number;
  /** Track every buffer to catch double and foreign releases (a WeakSet per buffer; for tests). Default false. */
  readonly strict?: boolean;
}

export class PoolReleaseError extends FosError {}

/**
 * Fixed-size buffers carved from larger slabs, recycled through a LIFO free list (hot in cache).
 * The counters make leaks visible: `stats().inUse` must return to 0 once everything is closed.
 */
export class PoolAllocator implements BufferAllocator {
  readonly bufferSize: number;
  private readonly slabBuffers: number;
  private readonly maxPooled: number;
  private readonly free: Uint8Array[] = [];
  private readonly outstanding: WeakSet<Uint8Array> | undefined;
  private hits = 0;
  private misses = 0;
  private inUse = 0;
  private dropped = 0;

  constructor(options: PoolAllocatorOptions = {}) {
    this.bufferSize = options.bufferSize ?? 2048;
    this.slabBuffers = options.slabBuffers ?? 64;
    this.maxPooled = options.maxPooled ?? 4096;
    if (!Number.isInteger(this.bufferSize) || this.bufferSize <= 0) throw new RangeError('bufferSize must be > 0');
    if (!Number.isInteger(this.slabBuffers) || this.slabBuffers <= 0) throw new RangeError('slabBuffers must be > 0');
    this.outstanding = options.strict ? new WeakSet() : undefined;
  }

  acquire(): Uint8Array {
    let buf = this.free.pop();
    if (buf) {
      this.hits++;
    } else {
      this.misses++;
      buf = this.refill();
    }
    this.inUse++;
    this.outstanding?.add(buf);
    return buf;
  }

  release(buffer: Uint8Array): void {
    if (buffer.length !== this.bufferSize) {
      throw new PoolReleaseError(
        `released a buffer of ${buffer.length} bytes to a pool of ${this.bufferSize}-byte buffers`,
      );
    }
    if (this.outstanding) {
      if (!this.outstanding.has(buffer))
        throw new PoolReleaseError('buffer released twice or not acquired from this pool');
      this.outstanding.delete(buffer);
    }
    this.inUse--;
    if (this.free.length < this.maxPooled) this.free.push(buffer);
    else this.dropped++;
  }

  stats(): BufferAllocatorStats {
    return { hits: this.hits, misses: this.misses, inUse: this.inUse, pooled: this.free.length, dropped: this.dropped };
  }

  /** Allocates a slab; keeps all but one of its buffers on the free list (up to maxPooled) and returns the last. */
  private refill(): Uint8Array {
    const n = Math.max(1, Math.min(this.slabBuffers, this.maxPooled - this.free.length + 1));
    const slab = new ArrayBuffer(n * this.bufferSize);
    for (let i = n - 1; i > 0; i--) this.free.push(new Uint8Array(slab, i * this.bufferSize, this.bufferSize));
    return new Uint8Array(slab, 0, this.bufferSize);
  }
}
