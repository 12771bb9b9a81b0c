import { token } from '../di/token.js';

export interface BufferAllocatorStats {
  /** Buffers handed out from the free list. */
  readonly hits: number;
  /** Buffers that had to be allocated because the free list was empty. */
  readonly misses: number;
  /** Buffers acquired and not yet released. Non-zero after everything closed means a leak. */
  readonly inUse: number;
  /** Buffers waiting on the free list. */
  readonly pooled: number;
  /** Buffers released and dropped because the free list was at its cap. */
  readonly dropped: number;
}

/**
 * Fixed-size packet buffers. Every buffer from `acquire()` has length `bufferSize` and must be given back, once,
 * with `release()` (the same object, not a subarray).
 */
export interface BufferAllocator {
  readonly bufferSize: number;
  acquire(): Uint8Array;
  release(buffer: Uint8Array): void;
  stats(): BufferAllocatorStats;
}
export const BufferAllocator = token<BufferAllocator>('fos.BufferAllocator');
