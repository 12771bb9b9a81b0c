import { tlsAlert } from '../alert.js';
import { AlertDescription } from '../constants.js';
import type { TlsWriter } from './tls-writer.js';

/** RFC 8446 §4 `struct { HandshakeType msg_type; uint24 length; ... } Handshake` header size. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** One complete handshake message. `message` is header + body (what the transcript hashes); `body` a view of it. */
export interface HandshakeMessage {
  readonly type: number;
  readonly message: Uint8Array;
  readonly body: Uint8Array;
}

/** Starts a handshake message in `w`: the type and an open 3-byte length (close it with `w.end()`). */
export function beginHandshake(w: TlsWriter, type: number): TlsWriter {
  return w.u8(type).begin(3);
}

/** Wraps a body in a handshake header (RFC 8446 §4). */
export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  if (body.length > 0xff_ffff) throw new RangeError(`handshake body of ${body.length} bytes`);
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Splits exactly one handshake message (header included) into its parts; decode_error when the length is off. */
export function splitHandshake(message: Uint8Array): HandshakeMessage {
  if (message.length < HANDSHAKE_HEADER_LENGTH)
    throw tlsAlert(AlertDescription.decode_error, 'truncated handshake header');
  const n = (message[1] << 16) | (message[2] << 8) | message[3];
  if (n !== message.length - HANDSHAKE_HEADER_LENGTH) {
    throw tlsAlert(AlertDescription.decode_error, `handshake length ${n} but ${message.length - 4} body bytes`);
  }
  return { type: message[0], message, body: message.subarray(HANDSHAKE_HEADER_LENGTH) };
}

/**
 * Reassembles handshake messages from an in-order byte stream (one per encryption level, RFC 9001 §4.1.3), with a
 * hard bound: a message whose header announces more than `maxMessageBytes` fails before anything is buffered, so
 * the buffer never exceeds `maxMessageBytes + 4` bytes.
 */
export class HandshakeReassembler {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingLength = 0;
  private input: Uint8Array = new Uint8Array(0);
  private inputPos = 0;

  constructor(readonly maxMessageBytes: number) {}

  /** Bytes held that do not yet form a complete message. */
  get buffered(): number {
    return this.pendingLength + (this.input.length - this.inputPos);
  }

  /** Queues `data` (not copied until a partial message has to be kept; call `next()` until undefined first). */
  push(data: Uint8Array): void {
    if (this.inputPos < this.input.length) {
      // Unread input left: fold it into pending before taking new input.
      this.keep(this.input.subarray(this.inputPos));
    }
    this.input = data;
    this.inputPos = 0;
  }

  /**
   * The next complete message as a fresh copy (the caller may keep it), or undefined when more bytes are needed.
   * Throws a TransportError (CRYPTO_ERROR / unexpected or oversized) through the caller's error path.
   */
  next(): HandshakeMessage | undefined {
    // Fill the header.
    if (this.pendingLength < HANDSHAKE_HEADER_LENGTH) {
      const need = HANDSHAKE_HEADER_LENGTH - this.pendingLength;
      const avail = this.input.length - this.inputPos;
      if (this.pendingLength === 0 && avail >= HANDSHAKE_HEADER_LENGTH) {
        // Fast path: whole message available in the input.
        const p = this.inputPos;
        const inp = this.input;
        const n = (inp[p + 1] << 16) | (inp[p + 2] << 8) | inp[p + 3];
        this.checkSize(inp[p], n);
        if (avail >= HANDSHAKE_HEADER_LENGTH + n) {
          this.inputPos = p + HANDSHAKE_HEADER_LENGTH + n;
          const message = inp.slice(p, this.inputPos);
          return { type: message[0], message, body: message.subarray(HANDSHAKE_HEADER_LENGTH) };
        }
      }
      const take = Math.min(need, avail);
      if (take > 0) {
        this.keep(this.input.subarray(this.inputPos, this.inputPos + take));
        this.inputPos += take;
      }
      if (this.pendingLength < HANDSHAKE_HEADER_LENGTH) return undefined;
    }
    const pb = this.pending;
    const n = (pb[1] << 16) | (pb[2] << 8) | pb[3];
    this.checkSize(pb[0], n);
    const total = HANDSHAKE_HEADER_LENGTH + n;
    const take = Math.min(total - this.pendingLength, this.input.length - this.inputPos);
    if (take > 0) {
      this.keep(this.input.subarray(this.inputPos, this.inputPos + take));
      this.inputPos += take;
    }
    if (this.pendingLength < total) return undefined;
    const message = this.pending.slice(0, total);
    this.pendingLength = 0;
    return { type: message[0], message, body: message.subarray(HANDSHAKE_HEADER_LENGTH) };
  }

  /** Drops everything (after a failure or when a level is abandoned). */
  clear(): void {
    this.pending = new Uint8Array(0);
    this.pendingLength = 0;
    this.input = new Uint8Array(0);
    this.inputPos = 0;
  }

  private checkSize(type: number, n: number): void {
    if (n > this.maxMessageBytes) {
      // Same alert OpenSSL/BoringSSL use for an excessive message size.
      throw tlsAlert(
        AlertDescription.illegal_parameter,
        `handshake message type ${type} of ${n} bytes exceeds the ${this.maxMessageBytes}-byte limit`,
      );
    }
  }

  private keep(src: Uint8Array): void {
    const need = this.pendingLength + src.length;
    if (need > this.pending.length) {
      const next = new Uint8Array(Math.max(need, Math.min(this.pending.length * 2 || 256, this.maxMessageBytes + 4)));
      next.set(this.pending.subarray(0, this.pendingLength));
      this.pending = next;
    }
    this.pending.set(src, this.pendingLength);
    this.pendingLength = need;
  }
}
