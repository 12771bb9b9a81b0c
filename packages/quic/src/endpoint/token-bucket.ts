/**
 * A token bucket on caller-supplied time (sans-I/O): `ratePerSecond` tokens a second, at most `burst` saved up.
 * Bounds the stateless packets an endpoint sends in reply to traffic it cannot attribute to a connection
 * (RFC 9000 §10.3.3: an endpoint can limit the Stateless Resets it generates).
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | undefined = undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    if (!(ratePerSecond >= 0) || !(burst >= 0)) throw new RangeError('rate and burst must be ≥ 0');
    this.tokens = burst;
  }

  /** Takes one token if there is one at `nowMs`. */
  take(nowMs: number): boolean {
    if (this.lastMs !== undefined && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSecond) / 1000);
    }
    if (this.lastMs === undefined || nowMs > this.lastMs) this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
