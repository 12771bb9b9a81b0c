/**
 * A growable big-endian writer for TLS handshake messages (RFC 8446 §3 presentation language). Handshake messages
 * are built a few times per connection, so this favours clarity over pooling: it grows its own buffer and
 * `finish()` returns an exact-size copy.
 *
 * Length-prefixed vectors: `begin(n)` reserves an n-byte length field, `end()` patches the most recent open one.
 */
export class TlsWriter {
  private buf: Uint8Array;
  private length = 0;
  private readonly open: number[] = [];

  constructor(initialCapacity = 512) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far. */
  get position(): number {
    return this.length;
  }

  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    const b = this.buf;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    const b = this.buf;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    b[this.length++] = (v >>> 24) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = v & 0xff;
    return this;
  }

  bytes(src: Uint8Array): this {
    this.ensure(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
    return this;
  }

  /** Opens a vector whose length prefix is `lengthBytes` long (1, 2 or 3). */
  begin(lengthBytes: 1 | 2 | 3): this {
    this.ensure(lengthBytes);
    this.open.push((this.length << 2) | lengthBytes);
    this.length += lengthBytes;
    return this;
  }

  /** Closes the most recently opened vector, writing its length. Throws RangeError when it does not fit. */
  end(): this {
    const mark = this.open.pop();
    if (mark === undefined) throw new Error('TlsWriter.end() without begin()');
    const lengthBytes = mark & 3;
    const at = mark >>> 2;
    const n = this.length - at - lengthBytes;
    if (n >= 2 ** (8 * lengthBytes)) throw new RangeError(`vector of ${n} bytes exceeds a ${lengthBytes}-byte length`);
    const b = this.buf;
    if (lengthBytes === 3) {
      b[at] = (n >>> 16) & 0xff;
      b[at + 1] = (n >>> 8) & 0xff;
      b[at + 2] = n & 0xff;
    } else if (lengthBytes === 2) {
      b[at] = (n >>> 8) & 0xff;
      b[at + 1] = n & 0xff;
    } else {
      b[at] = n;
    }
    return this;
  }

  /** `opaque x<0..2^(8·lengthBytes)-1>` in one call. */
  vector(lengthBytes: 1 | 2 | 3, src: Uint8Array): this {
    return this.begin(lengthBytes).bytes(src).end();
  }

  /** An exact-size copy of what was written. Throws when a vector is still open. */
  finish(): Uint8Array {
    if (this.open.length > 0) throw new Error('TlsWriter.finish() with an open vector');
    return this.buf.slice(0, this.length);
  }
}
