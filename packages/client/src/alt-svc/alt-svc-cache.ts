import type { AltSvcAlternative, AltSvcValue } from './alt-svc-parser.js';

/** An alternative as cached for one origin: the advertisement plus the instant it stops being fresh. */
export interface CachedAlternative extends AltSvcAlternative {
  /** `nowMs` at which the alternative stops being fresh (RFC 7838 §2.2, §3.1). */
  readonly expiresAtMs: number;
}

export interface AltSvcCacheOptions {
  /** Most origins remembered (least recently used ones are dropped first). Default 1000. */
  readonly maxOrigins?: number;
  /** How long an alternative is avoided after its first failure. Default 5 minutes (as Chromium does). */
  readonly brokenInitialMs?: number;
  /** Cap of the doubling back-off. Default 48 hours. */
  readonly brokenMaxMs?: number;
}

interface BrokenState {
  failures: number;
  untilMs: number;
}

/**
 * The key that identifies an alternative service independently of the origin that advertised it (RFC 7838 §2:
 * ALPN protocol, host and port); an empty host means the origin's own host.
 */
export function alternativeKey(
  originHost: string,
  alt: Pick<AltSvcAlternative, 'protocolId' | 'host' | 'port'>,
): string {
  return `${alt.protocolId}|${alt.host === '' ? originHost : alt.host}|${alt.port}`;
}

/**
 * Origin-keyed Alt-Svc cache (RFC 7838 §2.2, §3.1) plus the memory of broken alternatives.
 *
 * Times are `nowMs` values passed in by the caller (a `Clock`), so the cache is deterministic under a virtual clock.
 * It is bounded: at most `maxOrigins` origins and as many broken-alternative records, least recently used evicted.
 */
export class AltSvcCache {
  private readonly maxOrigins: number;
  private readonly brokenInitialMs: number;
  private readonly brokenMaxMs: number;
  private readonly origins = new Map<string, CachedAlternative[]>();
  private readonly broken = new Map<string, BrokenState>();

  constructor(options: AltSvcCacheOptions = {}) {
    this.maxOrigins = Math.max(1, options.maxOrigins ?? 1000);
    this.brokenInitialMs = options.brokenInitialMs ?? 5 * 60_000;
    this.brokenMaxMs = options.brokenMaxMs ?? 48 * 3_600_000;
  }

  /** Origins with cached alternatives (expired ones included until next looked up). */
  get size(): number {
    return this.origins.size;
  }

  /**
   * Applies an Alt-Svc field received from `origin` (`https://host:port` serialisation). RFC 7838 §3.1: the value
   * replaces every cached alternative of the origin; `clear` removes them all. `ageSeconds` is the response's Age
   * (RFC 7838 §3.1: freshness counts from when the response was generated).
   */
  update(origin: string, value: AltSvcValue, nowMs: number, ageSeconds = 0): void {
    this.origins.delete(origin);
    if (value.clear) return;
    const age = Number.isFinite(ageSeconds) && ageSeconds > 0 ? ageSeconds : 0;
    const fresh: CachedAlternative[] = [];
    for (const alt of value.alternatives) {
      const lifetime = alt.maxAgeSeconds - age;
      if (lifetime <= 0) continue;
      fresh.push({ ...alt, expiresAtMs: nowMs + lifetime * 1000 });
    }
    if (fresh.length === 0) return;
    this.origins.set(origin, fresh);
    while (this.origins.size > this.maxOrigins) {
      this.origins.delete(this.origins.keys().next().value!);
    }
  }

  /**
   * The fresh alternatives of `origin`, in the server's order of preference (RFC 7838 §3), optionally only those
   * for one ALPN protocol. Expired alternatives are dropped (RFC 7838 §2.2).
   */
  lookup(origin: string, nowMs: number, protocolId?: string): readonly CachedAlternative[] {
    const entry = this.origins.get(origin);
    if (entry === undefined) return [];
    const fresh = entry.filter((alt) => alt.expiresAtMs > nowMs);
    this.origins.delete(origin);
    if (fresh.length === 0) return [];
    this.origins.set(origin, fresh); // most recently used last
    return protocolId === undefined ? fresh : fresh.filter((alt) => alt.protocolId === protocolId);
  }

  /**
   * Removes one alternative of `origin` (or all of them). RFC 7838 §6: a 421 from an alternative removes it.
   */
  remove(origin: string, alt?: Pick<AltSvcAlternative, 'protocolId' | 'host' | 'port'>): void {
    if (alt === undefined) {
      this.origins.delete(origin);
      return;
    }
    const entry = this.origins.get(origin);
    if (entry === undefined) return;
    const rest = entry.filter((a) => !(a.protocolId === alt.protocolId && a.host === alt.host && a.port === alt.port));
    if (rest.length === 0) this.origins.delete(origin);
    else this.origins.set(origin, rest);
  }

  /**
   * Records a failure of the alternative `key` (see `alternativeKey`): it is avoided for 5 minutes, then 10, 20, …
   * up to the cap, each time it fails again without a success in between. Returns when it may be tried again.
   */
  markBroken(key: string, nowMs: number): number {
    const state = this.broken.get(key);
    const failures = (state?.failures ?? 0) + 1;
    const delay = Math.min(this.brokenMaxMs, this.brokenInitialMs * 2 ** Math.min(failures - 1, 40));
    const untilMs = nowMs + delay;
    this.broken.delete(key);
    this.broken.set(key, { failures, untilMs });
    while (this.broken.size > this.maxOrigins) {
      this.broken.delete(this.broken.keys().next().value!);
    }
    return untilMs;
  }

  /** Whether `key` failed recently and must not be tried yet. */
  isBroken(key: string, nowMs: number): boolean {
    const state = this.broken.get(key);
    return state !== undefined && state.untilMs > nowMs;
  }

  /** When `key` may be tried again, if it is marked (even if that time has passed: "recently broken"). */
  brokenUntil(key: string): number | undefined {
    return this.broken.get(key)?.untilMs;
  }

  /** A connection to `key` worked: forget its failures (the back-off starts over at the next failure). */
  confirm(key: string): void {
    this.broken.delete(key);
  }

  /**
   * RFC 7838 §2.2: on a network change, drop every alternative without `persist=1`, and forget broken marks (they
   * described the previous network).
   */
  networkChanged(): void {
    for (const [origin, alts] of [...this.origins]) {
      const kept = alts.filter((alt) => alt.persist);
      if (kept.length === 0) this.origins.delete(origin);
      else this.origins.set(origin, kept);
    }
    this.broken.clear();
  }

  /** Forgets everything (RFC 7838 §9.4: when origin-specific data is cleared). */
  clear(): void {
    this.origins.clear();
    this.broken.clear();
  }
}
