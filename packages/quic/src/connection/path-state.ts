import { type SocketAddress, sameAddress } from '@fos/core';
import { PacketNumberSpace } from '../recovery/packet-number-space.js';
import type { Connection } from './connection.js';

/** How much a server may send on an unvalidated path (RFC 9000 §8.1: three times what it received). */
export const AMPLIFICATION_FACTOR = 3;
/** PATH_RESPONSE frames waiting for a datagram (a peer cannot make us queue more). */
const MAX_PENDING_RESPONSES = 4;

interface Challenge {
  readonly data: Uint8Array;
  readonly remote: SocketAddress;
  /** Send (again) at this time. */
  resendAt: number;
  /** Give up at this time (RFC 9000 §8.2.4). */
  readonly deadline: number;
  /** The challenge was started by a peer address change (server) — on failure, fall back to the old path. */
  readonly migration: boolean;
}

/**
 * The network path in use (RFC 9000 §9): the peer's address, whether it is validated, the anti-amplification
 * budget before validation (§8.1), and path validation with PATH_CHALLENGE / PATH_RESPONSE (§8.2).
 */
export class PathState {
  remote: SocketAddress;
  validated: boolean;
  /** Bytes received / sent on this path while it was unvalidated (§8.1). */
  bytesReceived = 0;
  bytesSent = 0;
  /** A PATH_CHALLENGE frame to send now. */
  challengeToSend: Uint8Array | undefined = undefined;
  /** PATH_RESPONSE frames owed, each on the path its challenge arrived on (§8.2.2). */
  readonly responses: { data: Uint8Array; remote: SocketAddress }[] = [];
  private challenge: Challenge | undefined = undefined;
  private previous: { remote: SocketAddress; validated: boolean } | undefined = undefined;

  constructor(remote: SocketAddress, validated: boolean) {
    this.remote = remote;
    this.validated = validated;
  }

  /** Bytes the amplification limit still allows on this path (Infinity once validated). */
  get allowance(): number {
    return this.validated ? Number.POSITIVE_INFINITY : AMPLIFICATION_FACTOR * this.bytesReceived - this.bytesSent;
  }

  onReceived(bytes: number): void {
    if (!this.validated) this.bytesReceived += bytes;
  }

  onSent(bytes: number): void {
    if (!this.validated) this.bytesSent += bytes;
  }

  /** RFC 9000 §8.1: the peer's address is validated (Handshake packet, valid token, PATH_RESPONSE). */
  markValidated(): void {
    this.validated = true;
  }

  /** A PATH_CHALLENGE arrived from `remote`: answer it there (RFC 9000 §8.2.2). */
  onChallenge(data: Uint8Array, remote: SocketAddress): void {
    if (this.responses.length >= MAX_PENDING_RESPONSES) this.responses.shift();
    this.responses.push({ data: data.slice(), remote });
  }

  /** A PATH_RESPONSE arrived: validation succeeds if it echoes our outstanding challenge (RFC 9000 §8.2.3). */
  onResponse(data: Uint8Array, conn: Connection): void {
    const c = this.challenge;
    if (c === undefined || !bytesEqual(c.data, data)) return;
    this.challenge = undefined;
    this.challengeToSend = undefined;
    if (sameAddress(c.remote, this.remote)) {
      this.validated = true;
      this.previous = undefined;
      conn.emit({ type: 'path-migrated', remote: this.remote, validated: true });
    }
  }

  /**
   * The peer moved to `remote` (a non-probing packet with the largest packet number from a new address, RFC 9000
   * §9.3): send there, limited by the amplification budget until a new validation succeeds.
   */
  migrate(nowMs: number, conn: Connection, remote: SocketAddress): void {
    const portOnly = remote.address === this.remote.address;
    this.previous = { remote: this.remote, validated: this.validated };
    this.remote = remote;
    this.validated = false;
    this.bytesReceived = 0;
    this.bytesSent = 0;
    // RFC 9000 §9.4: a new address means new path characteristics; a NAT rebinding (port only) keeps them.
    if (!portOnly) {
      conn.rtt.reset();
      conn.pmtud.reset(conn.config.pmtud);
      conn.setDatagramSize(conn.pmtud.current);
    }
    conn.emit({ type: 'path-migrated', remote, validated: false });
    this.startValidation(nowMs, conn, remote, true);
  }

  /** Sends a PATH_CHALLENGE to `remote` and waits for the response (RFC 9000 §8.2.1). */
  startValidation(nowMs: number, conn: Connection, remote: SocketAddress, migration: boolean): void {
    const pto = conn.loss.ptoPeriodMs(PacketNumberSpace.APPLICATION_DATA);
    const data = conn.crypto.randomBytes(8);
    this.challenge = {
      data,
      remote,
      resendAt: nowMs + pto,
      // RFC 9000 §8.2.4: abandon after max(3·PTO, 6·kInitialRtt).
      deadline: nowMs + Math.max(3 * pto, 6 * conn.config.initialRttMs),
      migration,
    };
    this.challengeToSend = data;
  }

  timeout(): number | undefined {
    const c = this.challenge;
    if (c === undefined) return undefined;
    return Math.min(c.resendAt, c.deadline);
  }

  handleTimeout(nowMs: number, conn: Connection): void {
    const c = this.challenge;
    if (c === undefined) return;
    if (nowMs >= c.deadline) {
      this.challenge = undefined;
      this.challengeToSend = undefined;
      // RFC 9000 §9.3.2: a failed validation after a peer's migration returns to the last validated path.
      if (c.migration && this.previous?.validated && conn.role === 'server') {
        this.remote = this.previous.remote;
        this.validated = true;
        conn.emit({ type: 'path-migrated', remote: this.remote, validated: true });
      }
      this.previous = undefined;
      return;
    }
    if (nowMs >= c.resendAt) {
      this.challengeToSend = c.data;
      c.resendAt = nowMs + conn.loss.ptoPeriodMs(PacketNumberSpace.APPLICATION_DATA);
    }
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
