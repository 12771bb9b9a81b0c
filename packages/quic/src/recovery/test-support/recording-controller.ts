import type { CongestionController, CongestionState, RttView, SentPacketInfo } from '@fos/core';

/** One hook call as recorded by {@link RecordingController}. */
export type HookCall =
  | { hook: 'sent'; now: number; pn: number; bytes: number; timeSent: number; inFlight: number }
  | { hook: 'acked'; now: number; pn: number; bytes: number; timeSent: number; inFlight: number }
  | { hook: 'ackProcessed'; now: number; inFlight: number }
  | { hook: 'congestion'; now: number; sentTime: number; lostBytes: number; inFlight: number }
  | { hook: 'persistent'; now: number }
  | { hook: 'spurious'; now: number }
  | { hook: 'appLimited'; now: number; inFlight: number }
  | { hook: 'mds'; size: number };

/**
 * A fake congestion controller for tests: records every hook (copying the reused SentPacketInfo) and keeps a
 * simple window so the loss detector can observe reductions — it halves on a congestion event sent after the
 * current recovery start (NewReno-like, RFC 9002 §7.3.2), collapses on persistent congestion and restores the
 * pre-reduction window on a spurious signal.
 */
export class RecordingController implements CongestionController {
  readonly name = 'recording';
  readonly calls: HookCall[] = [];
  windowBytes: number;
  slowStartThresholdBytes = Number.POSITIVE_INFINITY;
  state: CongestionState = 'slow_start';
  /** Returned by pacingRateBytesPerSecond. */
  pacingRate: number | undefined = undefined;
  private recoveryStart = Number.NEGATIVE_INFINITY;
  private windowBeforeReduction = 0;

  constructor(
    initialWindow = 12_000,
    private readonly minimumWindow = 2_400,
  ) {
    this.windowBytes = initialWindow;
  }

  onPacketSent(nowMs: number, p: SentPacketInfo, bytesInFlight: number): void {
    this.calls.push({
      hook: 'sent',
      now: nowMs,
      pn: p.packetNumber,
      bytes: p.sentBytes,
      timeSent: p.timeSentMs,
      inFlight: bytesInFlight,
    });
  }
  onPacketAcked(nowMs: number, p: SentPacketInfo, _rtt: RttView, bytesInFlight: number): void {
    this.calls.push({
      hook: 'acked',
      now: nowMs,
      pn: p.packetNumber,
      bytes: p.sentBytes,
      timeSent: p.timeSentMs,
      inFlight: bytesInFlight,
    });
  }
  onAckProcessed(nowMs: number, _rtt: RttView, bytesInFlight: number): void {
    this.calls.push({ hook: 'ackProcessed', now: nowMs, inFlight: bytesInFlight });
  }
  onCongestionEvent(nowMs: number, sentTimeMs: number, lostBytes: number, bytesInFlight: number): void {
    this.calls.push({ hook: 'congestion', now: nowMs, sentTime: sentTimeMs, lostBytes, inFlight: bytesInFlight });
    if (sentTimeMs <= this.recoveryStart) return;
    this.recoveryStart = nowMs;
    this.windowBeforeReduction = this.windowBytes;
    this.windowBytes = Math.max(this.minimumWindow, this.windowBytes / 2);
    this.state = 'recovery';
  }
  onPersistentCongestion(nowMs: number): void {
    this.calls.push({ hook: 'persistent', now: nowMs });
    this.windowBytes = this.minimumWindow;
    this.recoveryStart = Number.NEGATIVE_INFINITY;
  }
  onSpuriousCongestion(nowMs: number): void {
    this.calls.push({ hook: 'spurious', now: nowMs });
    this.windowBytes = this.windowBeforeReduction;
  }
  onApplicationLimited(nowMs: number, bytesInFlight: number): void {
    this.calls.push({ hook: 'appLimited', now: nowMs, inFlight: bytesInFlight });
  }
  onMaxDatagramSizeChanged(size: number): void {
    this.calls.push({ hook: 'mds', size });
  }
  pacingRateBytesPerSecond(_rtt: RttView): number | undefined {
    return this.pacingRate;
  }

  /** The recorded hook names, in order, without 'sent'. */
  hooks(): string[] {
    return this.calls.filter((c) => c.hook !== 'sent').map((c) => c.hook);
  }

  /** Calls of one hook. */
  of<H extends HookCall['hook']>(hook: H): Extract<HookCall, { hook: H }>[] {
    return this.calls.filter((c): c is Extract<HookCall, { hook: H }> => c.hook === hook);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
