// RFC 9000 §5.2: an endpoint matches each incoming packet to a connection by its Destination Connection ID.
// This table is on the per-datagram path, so a lookup reads the DCID straight from the datagram (offset + length)
// and never builds a string or a subarray: the key is a seeded 30-bit FNV-1a hash of the bytes (a V8 small integer,
// the cheapest Map key), and entries sharing a hash are chained and compared byte by byte.

interface Entry<V> {
  readonly cid: Uint8Array;
  value: V;
  next: Entry<V> | undefined;
}

const FNV_PRIME = 0x0100_0193;
/** Keep keys within V8's small-integer range (31-bit signed on pointer-compressed builds). */
const KEY_MASK = 0x3fff_ffff;

/**
 * A map from connection ID bytes to a value (the connection that owns the CID). Lookups take the bytes in place.
 * The hash is seeded per table (from the endpoint's randomness), so a peer cannot choose CIDs that all land in one
 * chain of someone else's table.
 */
export class CidTable<V> {
  private readonly map = new Map<number, Entry<V>>();
  private readonly seed: number;
  private count = 0;

  /** @param seed 32 random bits (any integer; a fixed one in tests). */
  constructor(seed: number) {
    this.seed = seed | 0;
  }

  get size(): number {
    return this.count;
  }

  /** The hash key of `buf[offset, offset + length)`. */
  private key(buf: Uint8Array, offset: number, length: number): number {
    let h = this.seed ^ length;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ buf[offset + i], FNV_PRIME);
    // A final avalanche so that the low bits depend on every byte.
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b_3c6d);
    h ^= h >>> 12;
    return h & KEY_MASK;
  }

  /** The value stored for the CID `buf[offset, offset + length)`, without copying it. */
  getAt(buf: Uint8Array, offset: number, length: number): V | undefined {
    for (let e = this.map.get(this.key(buf, offset, length)); e !== undefined; e = e.next) {
      if (equalAt(e.cid, buf, offset, length)) return e.value;
    }
    return undefined;
  }

  get(cid: Uint8Array): V | undefined {
    return this.getAt(cid, 0, cid.length);
  }

  has(cid: Uint8Array): boolean {
    return this.getAt(cid, 0, cid.length) !== undefined;
  }

  /** Adds `cid` (kept by reference: do not modify it). Returns false, changing nothing, when it is already present. */
  add(cid: Uint8Array, value: V): boolean {
    const k = this.key(cid, 0, cid.length);
    const head = this.map.get(k);
    for (let e = head; e !== undefined; e = e.next) {
      if (equalAt(e.cid, cid, 0, cid.length)) return false;
    }
    this.map.set(k, { cid, value, next: head });
    this.count++;
    return true;
  }

  /** Removes `cid` if it maps to `value` (or to anything when `value` is omitted). Returns whether it did. */
  delete(cid: Uint8Array, value?: V): boolean {
    const k = this.key(cid, 0, cid.length);
    let prev: Entry<V> | undefined;
    for (let e = this.map.get(k); e !== undefined; prev = e, e = e.next) {
      if (!equalAt(e.cid, cid, 0, cid.length)) continue;
      if (value !== undefined && e.value !== value) return false;
      if (prev !== undefined) prev.next = e.next;
      else if (e.next !== undefined) this.map.set(k, e.next);
      else this.map.delete(k);
      this.count--;
      return true;
    }
    return false;
  }

  /** Longest chain (a health figure for tests: stays tiny for random CIDs). */
  longestChain(): number {
    let longest = 0;
    for (const head of this.map.values()) {
      let n = 0;
      for (let e: Entry<V> | undefined = head; e !== undefined; e = e.next) n++;
      if (n > longest) longest = n;
    }
    return longest;
  }
}

function equalAt(cid: Uint8Array, buf: Uint8Array, offset: number, length: number): boolean {
  if (cid.length !== length) return false;
  for (let i = 0; i < length; i++) if (cid[i] !== buf[offset + i]) return false;
  return true;
}
