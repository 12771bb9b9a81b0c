/**
 * The bottleneck FIFO of one link, as (departure time, size) pairs in a growable ring of typed arrays: no object
 * per datagram. A datagram stays counted in `bytes` until its serialization ends (its departure time).
 */
export class DepartureQueue {
  private times = new Float64Array(64);
  private sizes = new Uint32Array(64);
  private head = 0;
  private count = 0;
  /** Bytes of the datagrams queued or being serialized. */
  bytes = 0;

  get length(): number {
    return this.count;
  }

  push(departAt: number, size: number): void {
    if (this.count === this.times.length) this.grow();
    const i = (this.head + this.count) & (this.times.length - 1);
    this.times[i] = departAt;
    this.sizes[i] = size;
    this.count++;
    this.bytes += size;
  }

  /** Forgets every datagram that has left the queue by `now`. */
  drain(now: number): void {
    const mask = this.times.length - 1;
    while (this.count > 0 && this.times[this.head] <= now) {
      this.bytes -= this.sizes[this.head];
      this.head = (this.head + 1) & mask;
      this.count--;
    }
  }

  private grow(): void {
    const n = this.times.length;
    const times = new Float64Array(n * 2);
    const sizes = new Uint32Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      times[k] = this.times[i];
      sizes[k] = this.sizes[i];
    }
    this.times = times;
    this.sizes = sizes;
    this.head = 0;
  }
}
