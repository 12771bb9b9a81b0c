import { TransportError, TransportErrorCode } from '@fos/core';

// RFC 9000 §5.1: connection IDs, NEW_CONNECTION_ID (§19.15), RETIRE_CONNECTION_ID (§19.16), stateless reset
// tokens (§10.3).

export interface ConnectionIdEntry {
  readonly sequence: number;
  readonly cid: Uint8Array;
  /** 16 bytes; undefined for a sequence-0 CID whose token was not given (client side, or zero-length CIDs). */
  readonly resetToken: Uint8Array | undefined;
}

export interface LocalCidOptions {
  /** Our source CID for sequence 0 (chosen at connection start). */
  readonly initial: Uint8Array;
  /** The stateless reset token for `initial` (sent in transport parameters by a server), if any. */
  readonly initialResetToken?: Uint8Array;
  /** Makes a fresh CID with its reset token (random bytes; the token is derived statelessly by the endpoint). */
  readonly generate: () => { cid: Uint8Array; resetToken: Uint8Array };
  /** Most CIDs we keep issued at once, whatever the peer allows (default 8). */
  readonly maxIssued?: number;
}

/** The connection IDs we issue to the peer (it uses them as the DCID of packets it sends to us). */
export class LocalConnectionIds {
  private readonly active = new Map<number, ConnectionIdEntry>();
  private nextSequence = 1;
  private peerLimit = 2;
  private readonly maxIssued: number;
  private readonly generate: () => { cid: Uint8Array; resetToken: Uint8Array };
  /** Frames the connection still has to send, in order. */
  private readonly toAnnounce: ConnectionIdEntry[] = [];

  constructor(options: LocalCidOptions) {
    this.maxIssued = options.maxIssued ?? 8;
    this.generate = options.generate;
    this.active.set(0, { sequence: 0, cid: options.initial, resetToken: options.initialResetToken });
  }

  /** Every CID currently issued (the endpoint routes them to this connection). */
  entries(): IterableIterator<ConnectionIdEntry> {
    return this.active.values();
  }

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * The peer's active_connection_id_limit (RFC 9000 §18.2, default 2); after the handshake we top up to
   * min(limit, maxIssued) CIDs. Zero-length local CIDs are never topped up (RFC 9000 §5.1.1).
   */
  setPeerLimit(limit: number): void {
    this.peerLimit = limit;
  }

  /** Issues new CIDs up to the allowed count; returns them for NEW_CONNECTION_ID frames. */
  topUp(): ConnectionIdEntry[] {
    const issued: ConnectionIdEntry[] = [];
    const first = this.active.get(0) ?? this.active.values().next().value;
    if (first !== undefined && first.cid.length === 0) return issued;
    const target = Math.min(this.peerLimit, this.maxIssued);
    while (this.active.size < target) {
      const { cid, resetToken } = this.generate();
      const entry: ConnectionIdEntry = { sequence: this.nextSequence++, cid, resetToken };
      this.active.set(entry.sequence, entry);
      issued.push(entry);
      this.toAnnounce.push(entry);
    }
    return issued;
  }

  /** Whether NEW_CONNECTION_ID frames are waiting to be sent. */
  get hasAnnouncements(): boolean {
    return this.toAnnounce.length > 0;
  }

  /** NEW_CONNECTION_ID frames not yet sent (drained by the packet builder). */
  takeAnnouncements(): ConnectionIdEntry[] {
    return this.toAnnounce.splice(0, this.toAnnounce.length);
  }

  /** A NEW_CONNECTION_ID frame was lost: resend it if the CID is still active (RFC 9000 §13.3). */
  onAnnouncementLost(sequence: number): void {
    const entry = this.active.get(sequence);
    if (entry !== undefined && !this.toAnnounce.includes(entry)) this.toAnnounce.push(entry);
  }

  /**
   * RETIRE_CONNECTION_ID from the peer (RFC 9000 §19.16). `packetDcid` is the DCID of the packet that carried it.
   * Returns the retired entry (the endpoint stops routing it), or undefined if it was already retired.
   */
  onRetire(sequence: number, packetDcid: Uint8Array): ConnectionIdEntry | undefined {
    // §19.16: a sequence number greater than any previously sent is a PROTOCOL_VIOLATION.
    if (sequence >= this.nextSequence) {
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `retired unknown CID sequence ${sequence}`, {
        frameType: 0x19,
      });
    }
    const entry = this.active.get(sequence);
    if (entry === undefined) return undefined;
    // §19.16: the CID must not be the one in the DCID of the packet carrying the frame.
    if (equalBytes(entry.cid, packetDcid)) {
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'peer retired the CID its packet was sent to', {
        frameType: 0x19,
      });
    }
    this.active.delete(sequence);
    const pending = this.toAnnounce.indexOf(entry);
    if (pending >= 0) this.toAnnounce.splice(pending, 1);
    return entry;
  }
}

export interface PeerCidOptions {
  /** The peer's CID for sequence 0 (the SCID of its first packet). */
  readonly initial: Uint8Array;
  /** Our active_connection_id_limit (RFC 9000 §18.2): how many of the peer's CIDs we store. */
  readonly activeLimit: number;
}

/** The connection IDs the peer issued to us (we put them in the DCID of packets we send). */
export class PeerConnectionIds {
  private readonly active = new Map<number, ConnectionIdEntry>();
  private current: ConnectionIdEntry;
  private retirePriorTo = 0;
  private readonly activeLimit: number;
  /** Sequence numbers for which RETIRE_CONNECTION_ID must be sent. */
  private readonly toRetire: number[] = [];
  private readonly retiredSequences = new Set<number>();
  private initial: Uint8Array;

  constructor(options: PeerCidOptions) {
    this.activeLimit = options.activeLimit;
    this.initial = options.initial;
    this.current = { sequence: 0, cid: options.initial, resetToken: undefined };
    this.active.set(0, this.current);
  }

  /** The peer's sequence-0 CID: the SCID of its first packet, authenticated by initial_source_connection_id. */
  get initialCid(): Uint8Array {
    return this.initial;
  }

  /** The DCID to put in outgoing packets. */
  get currentCid(): Uint8Array {
    return this.current.cid;
  }

  get currentSequence(): number {
    return this.current.sequence;
  }

  /** Replaces the sequence-0 CID (client: after the server's first Initial or a Retry, RFC 9000 §7.2). */
  replaceInitial(cid: Uint8Array): void {
    if (this.current.sequence !== 0) return;
    this.initial = cid;
    this.current = { sequence: 0, cid, resetToken: this.current.resetToken };
    this.active.set(0, this.current);
  }

  /** The server's stateless_reset_token transport parameter applies to sequence 0 (RFC 9000 §18.2). */
  setInitialResetToken(token: Uint8Array): void {
    const zero = this.active.get(0);
    if (zero === undefined) return;
    const updated = { sequence: 0, cid: zero.cid, resetToken: token };
    this.active.set(0, updated);
    if (this.current.sequence === 0) this.current = updated;
  }

  /** NEW_CONNECTION_ID (RFC 9000 §19.15). Throws TransportError on a violation. */
  onNewConnectionId(sequence: number, retirePriorTo: number, cid: Uint8Array, resetToken: Uint8Array): void {
    // §19.15: a peer using zero-length CIDs must not send NEW_CONNECTION_ID.
    if (this.current.cid.length === 0) {
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'NEW_CONNECTION_ID with zero-length CIDs', {
        frameType: 0x18,
      });
    }
    const existing = this.active.get(sequence);
    if (existing !== undefined) {
      // §19.15: the same sequence number with a different CID or token is a PROTOCOL_VIOLATION.
      if (!equalBytes(existing.cid, cid) || (existing.resetToken && !equalBytes(existing.resetToken, resetToken))) {
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `CID sequence ${sequence} reused`, {
          frameType: 0x18,
        });
      }
      return;
    }
    for (const e of this.active.values()) {
      // §19.15: the same CID under a different sequence number is a PROTOCOL_VIOLATION.
      if (equalBytes(e.cid, cid)) {
        throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'CID issued twice', { frameType: 0x18 });
      }
    }
    if (sequence < this.retirePriorTo || this.retiredSequences.has(sequence)) {
      // §19.15: a CID below the current retire_prior_to is retired immediately.
      this.queueRetire(sequence);
      return;
    }
    this.active.set(sequence, { sequence, cid, resetToken });
    if (retirePriorTo > this.retirePriorTo) {
      this.retirePriorTo = retirePriorTo;
      for (const e of [...this.active.values()]) {
        if (e.sequence < retirePriorTo) {
          this.active.delete(e.sequence);
          this.queueRetire(e.sequence);
        }
      }
      if (this.current.sequence < retirePriorTo) this.current = this.lowestActive();
    }
    // §5.1.1: more active CIDs than our active_connection_id_limit is a CONNECTION_ID_LIMIT_ERROR.
    if (this.active.size > this.activeLimit) {
      throw new TransportError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, 'too many active connection IDs', {
        frameType: 0x18,
      });
    }
    // §5.1.2: bound the retirements we still owe, so a peer cannot make us queue frames without end.
    if (this.toRetire.length > 4 * this.activeLimit) {
      throw new TransportError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, 'too many CIDs awaiting retirement', {
        frameType: 0x18,
      });
    }
  }

  /**
   * Switches to an unused CID (path migration, RFC 9000 §9.5) and retires the old one. Returns false when the peer
   * has not given us a spare CID.
   */
  rotate(): boolean {
    for (const e of this.active.values()) {
      if (e.sequence > this.current.sequence) {
        const old = this.current;
        this.current = e;
        this.active.delete(old.sequence);
        this.queueRetire(old.sequence);
        return true;
      }
    }
    return false;
  }

  /** Whether the peer has given us a CID we have not used yet. */
  hasSpare(): boolean {
    for (const e of this.active.values()) if (e.sequence > this.current.sequence) return true;
    return false;
  }

  /** Whether RETIRE_CONNECTION_ID frames are waiting to be sent. */
  get hasRetirements(): boolean {
    return this.toRetire.length > 0;
  }

  /** RETIRE_CONNECTION_ID frames to send. */
  takeRetirements(): number[] {
    return this.toRetire.splice(0, this.toRetire.length);
  }

  /** A RETIRE_CONNECTION_ID frame was lost: send it again (RFC 9000 §13.3). */
  onRetirementLost(sequence: number): void {
    if (!this.toRetire.includes(sequence)) this.toRetire.push(sequence);
  }

  /**
   * RFC 9000 §10.3.1: whether the last 16 bytes of a datagram that could not be processed match a stateless reset
   * token of one of the peer's active CIDs (compared without early exit).
   */
  isStatelessReset(datagram: Uint8Array): boolean {
    if (datagram.length < 21) return false;
    const tail = datagram.subarray(datagram.length - 16);
    let match = false;
    for (const e of this.active.values()) {
      if (e.resetToken !== undefined && constantTimeEqual(e.resetToken, tail)) match = true;
    }
    return match;
  }

  private queueRetire(sequence: number): void {
    // §19.15: retire each sequence once. The memory of retired sequences is bounded; forgetting a very old one
    // at worst repeats a RETIRE_CONNECTION_ID, which the peer must tolerate.
    if (this.retiredSequences.has(sequence)) return;
    this.retiredSequences.add(sequence);
    if (this.retiredSequences.size > 4 * this.activeLimit) {
      let oldest = sequence;
      for (const s of this.retiredSequences) if (s < oldest) oldest = s;
      this.retiredSequences.delete(oldest);
    }
    this.toRetire.push(sequence);
  }

  private lowestActive(): ConnectionIdEntry {
    let best: ConnectionIdEntry | undefined;
    for (const e of this.active.values()) if (best === undefined || e.sequence < best.sequence) best = e;
    // onNewConnectionId inserted the new CID before retiring, so at least it remains.
    return best!;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equality without a data-dependent early exit (stateless reset tokens, RFC 9000 §10.3.1). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
