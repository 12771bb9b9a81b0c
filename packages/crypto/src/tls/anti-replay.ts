/**
 * Single-use ticket bookkeeping for 0-RTT (RFC 8446 §8.1): a ticket id may open 0-RTT once while it is valid.
 * Memory is bounded: expired ids are pruned, and when `capacity` unexpired ids are held, further 0-RTT attempts are
 * refused (failing safe: the handshake falls back to 1-RTT).
 */
export class AntiReplay {
  private readonly used = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** Records `id` as used until `expiresAtEpochMs`; returns false when it was already used (a replay) or when full. */
  consume(id: string, expiresAtEpochMs: number, epochMs: number): boolean {
    const seen = this.used.get(id);
    if (seen !== undefined && seen > epochMs) return false;
    if (this.used.size >= this.capacity) this.prune(epochMs);
    if (this.used.size >= this.capacity) return false;
    this.used.set(id, expiresAtEpochMs);
    return true;
  }

  get size(): number {
    return this.used.size;
  }

  private prune(epochMs: number): void {
    for (const [id, expires] of this.used) if (expires <= epochMs) this.used.delete(id);
  }
}
