import type { PacketProtector } from '@fos/core';
import { AckTracker } from '../recovery/ack-tracker.js';
import type { PacketNumberSpace } from '../recovery/packet-number-space.js';
import { CryptoStream } from './crypto-stream.js';

/**
 * One packet number space (RFC 9000 §12.3) with its encryption level's keys and CRYPTO stream. The application
 * space also carries 0-RTT (whose keys live on the connection).
 */
export class PacketSpace {
  readonly ack: AckTracker;
  readonly crypto: CryptoStream;
  read: PacketProtector | undefined = undefined;
  write: PacketProtector | undefined = undefined;
  /** Next packet number to send (RFC 9000 §12.3: per space, never reused). */
  nextPacketNumber = 0;
  /** Ack-eliciting probe packets the PTO asked for (RFC 9002 §6.2.4). */
  probesPending = 0;
  /** Keys discarded (RFC 9001 §4.9): nothing more is sent or accepted in this space. */
  discarded = false;

  constructor(
    readonly space: PacketNumberSpace,
    maxAckDelayMs: number,
    ackDelayExponent: number,
    maxCryptoBufferBytes: number,
  ) {
    this.ack = new AckTracker({ space, maxAckDelayMs, ackDelayExponent });
    this.crypto = new CryptoStream(maxCryptoBufferBytes);
  }

  get canSend(): boolean {
    return !this.discarded && this.write !== undefined;
  }

  discard(): void {
    this.discarded = true;
    this.read = undefined;
    this.write = undefined;
    this.probesPending = 0;
    this.crypto.send.clear();
    this.crypto.recv.clear();
  }
}
