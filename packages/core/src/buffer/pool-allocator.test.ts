import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PoolAllocator, PoolReleaseError } from './pool-allocator.js';

describe('PoolAllocator', () => {
  it('hands out fixed-size buffers from slabs and recycles them (hits/misses/inUse)', () => {
    const pool = new PoolAllocator({ bufferSize: 1500, slabBuffers: 4 });
    const a = pool.acquire();
    expect(a.length).toBe(1500);
    expect(pool.stats()).toMatchObject({ misses: 1, hits: 0, inUse: 1, pooled: 3 });
    const more = [pool.acquire(), pool.acquire(), pool.acquire()];
    expect(pool.stats()).toMatchObject({ misses: 1, hits: 3, inUse: 4, pooled: 0 });
    expect(new Set([a, ...more].map((b) => b.byteOffset)).size).toBe(4);
    pool.release(a);
    expect(pool.acquire()).toBe(a);
    for (const b of [a, ...more]) pool.release(b);
    expect(pool.stats()).toMatchObject({ inUse: 0, pooled: 4 });
  });

  it('buffers from one slab never overlap', () => {
    const pool = new PoolAllocator({ bufferSize: 100, slabBuffers: 8 });
    const bufs = Array.from({ length: 20 }, () => pool.acquire());
    for (const [i, b] of bufs.entries()) b.fill(i);
    for (const [i, b] of bufs.entries()) expect(b.every((x) => x === i)).toBe(true);
  });

  it('strict mode catches double and foreign releases', () => {
    const pool = new PoolAllocator({ bufferSize: 64, strict: true });
    const a = pool.acquire();
    pool.release(a);
    expect(() => pool.release(a)).toThrow(PoolReleaseError);
    expect(() => pool.release(new Uint8Array(64))).toThrow(PoolReleaseError);
    expect(() => pool.release(new Uint8Array(10))).toThrow(PoolReleaseError);
    expect(pool.stats().inUse).toBe(0);
  });

  it('caps the free list and counts dropped buffers', () => {
    const pool = new PoolAllocator({ bufferSize: 32, slabBuffers: 2, maxPooled: 3 });
    const bufs = Array.from({ length: 6 }, () => pool.acquire());
    for (const b of bufs) pool.release(b);
    expect(pool.stats()).toMatchObject({ pooled: 3, dropped: 3, inUse: 0 });
  });

  it('inUse equals acquires minus releases for any interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (ops) => {
        const pool = new PoolAllocator({ bufferSize: 16, slabBuffers: 5, strict: true });
        const held: Uint8Array[] = [];
        let acquires = 0;
        let maxHeld = 0;
        for (const acquire of ops) {
          if (acquire || held.length === 0) {
            held.push(pool.acquire());
            acquires++;
            maxHeld = Math.max(maxHeld, held.length);
          } else pool.release(held.pop()!);
          expect(pool.stats().inUse).toBe(held.length);
        }
        const s = pool.stats();
        expect(s.hits + s.misses).toBe(acquires);
        // A slab of 5 is carved only when every buffer carved so far is held.
        expect(s.misses).toBe(Math.ceil(maxHeld / 5));
      }),
    );
  });
});
