import type { PacketProtector } from '@fos/core';

/** Which 1-RTT read key a packet is tried with. */
export const ReadKey = { CURRENT: 0, NEXT: 1, PREVIOUS: 2 } as const;
export type ReadKey = (typeof ReadKey)[keyof typeof ReadKey];

/**
 * 1-RTT keys across key updates (RFC 9001 §6). Reading: the current key phase, the next one (derived on first
 * need) and the previous one (kept for reordered packets until three PTOs after the update, §6.5). Writing: the
 * current phase, which moves when we initiate an update (§6.1) or when the peer's update reaches us (§6.2).
 */
export class KeyPhases {
  readCurrent: PacketProtector | undefined = undefined;
  readNext: PacketProtector | undefined = undefined;
  readPrevious: PacketProtector | undefined = undefined;
  readPhase: 0 | 1 = 0;
  write: PacketProtector | undefined = undefined;
  writePhase: 0 | 1 = 0;
  writeGeneration = 0;
  /** Lowest packet number received in the current read phase (-1: none yet). */
  private firstReadPn = -1;
  /** First packet number we sent in the current write phase. */
  private firstWritePn = 0;
  /** A packet of the current write phase was acknowledged (RFC 9001 §6.1 precondition of the next update). */
  private writePhaseAcked = false;
  /** When the previous read key is dropped. */
  discardDeadline: number | undefined = undefined;
  /** Failed decryptions of keys already replaced (RFC 9001 §6.6 counts across all keys). */
  private retiredFailures = 0;

  installRead(p: PacketProtector): void {
    this.readCurrent = p;
  }

  installWrite(p: PacketProtector): void {
    this.write = p;
  }

  /** The key to try for a packet with `keyPhase` and (decoded) packet number `pn` (RFC 9001 §6.3). */
  select(keyPhase: 0 | 1, pn: number): { key: PacketProtector | undefined; which: ReadKey } {
    if (keyPhase === this.readPhase) return { key: this.readCurrent, which: ReadKey.CURRENT };
    // A packet from the previous phase is older than every packet of the current one.
    if (this.readPrevious !== undefined && (this.firstReadPn < 0 || pn < this.firstReadPn)) {
      return { key: this.readPrevious, which: ReadKey.PREVIOUS };
    }
    if (this.readNext === undefined && this.readCurrent !== undefined)
      this.readNext = this.readCurrent.nextGeneration();
    return { key: this.readNext, which: ReadKey.NEXT };
  }

  /** A packet decrypted with the current read key. */
  onCurrentDecrypted(pn: number): void {
    if (this.firstReadPn < 0 || pn < this.firstReadPn) this.firstReadPn = pn;
  }

  /**
   * A packet decrypted with the next key: the peer moved to the next phase (RFC 9001 §6.2). Returns true when the
   * peer initiated the update (we then update our write key too), false when it answered our update.
   */
  onNextDecrypted(nowMs: number, pn: number, ptoMs: number, nextSendPn: number): boolean {
    if (this.readPrevious) this.retiredFailures += this.readPrevious.failedDecryptions;
    this.readPrevious = this.readCurrent;
    this.readCurrent = this.readNext;
    this.readNext = undefined;
    this.readPhase ^= 1;
    this.firstReadPn = pn;
    // RFC 9001 §6.5: keep the old read key for a while for reordered packets.
    this.discardDeadline = nowMs + 3 * ptoMs;
    if (this.writePhase === this.readPhase) return false;
    this.rotateWrite(nextSendPn);
    return true;
  }

  /** RFC 9001 §6.1: start an update. Refused while the previous one is unconfirmed. */
  initiate(_nowMs: number, nextSendPn: number): boolean {
    if (this.write === undefined || !this.writePhaseAcked || this.writePhase !== this.readPhase) return false;
    this.rotateWrite(nextSendPn);
    return true;
  }

  /** Largest acknowledged 1-RTT packet number: once it is in the current write phase, another update may start. */
  onAcked(largestAcked: number): void {
    if (largestAcked >= this.firstWritePn) this.writePhaseAcked = true;
  }

  handleTimeout(nowMs: number): void {
    if (this.discardDeadline !== undefined && nowMs >= this.discardDeadline) {
      if (this.readPrevious) this.retiredFailures += this.readPrevious.failedDecryptions;
      this.readPrevious = undefined;
      this.discardDeadline = undefined;
    }
  }

  /** Packets that failed authentication under any 1-RTT key (RFC 9001 §6.6 integrity limit). */
  get failedDecryptions(): number {
    return (
      this.retiredFailures +
      (this.readCurrent?.failedDecryptions ?? 0) +
      (this.readNext?.failedDecryptions ?? 0) +
      (this.readPrevious?.failedDecryptions ?? 0)
    );
  }

  private rotateWrite(nextSendPn: number): void {
    this.write = this.write?.nextGeneration();
    this.writePhase ^= 1;
    this.writeGeneration++;
    this.firstWritePn = nextSendPn;
    this.writePhaseAcked = false;
  }
}
