// TEST ONLY: a minimal TLS 1.3 record layer (RFC 8446 §5) over TCP around the engine's sessions, so the engine can
// handshake with OpenSSL's s_server / s_client. QUIC never uses this: there CRYPTO frames carry the handshake bytes
// and packet protection replaces records (RFC 9001 §4.1.3).
import type { Socket } from 'node:net';
import type {
  AeadKey,
  CipherSuite,
  CryptoProvider,
  EncryptionLevel,
  QuicTlsEvent,
  QuicTlsSession,
  QuicTlsSessionTicket,
} from '@fos/core';
import { hkdfExpandLabel } from '../../src/hkdf-label.js';
import { cipherSuiteInfo } from '../../src/tls/cipher-suites.js';

const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;
const MAX_FRAGMENT = 16_384;
const TAG = 16;

interface RecordKey {
  readonly level: EncryptionLevel;
  readonly aead: AeadKey;
  readonly iv: Uint8Array;
  seq: bigint;
}

function nonce(key: RecordKey): Uint8Array {
  // RFC 8446 §5.3: the 64-bit sequence number, left-padded to iv length, XORed with the IV.
  const n = key.iv.slice();
  let s = key.seq;
  for (let i = n.length - 1; i >= n.length - 8; i--) {
    n[i] ^= Number(s & 0xffn);
    s >>= 8n;
  }
  return n;
}

export class TlsRecordError extends Error {}

/** Drives one engine session over a TCP socket. */
export class TlsRecordConnection {
  readonly events: QuicTlsEvent[] = [];
  readonly received: Buffer[] = [];
  readonly tickets: QuicTlsSessionTicket[] = [];
  /** Alert the peer sent (RFC 8446 §6), if any. */
  peerAlert: number | undefined;
  closed = false;
  failure: Error | undefined;

  private readonly writeKeys = new Map<EncryptionLevel, RecordKey>();
  private readKey: RecordKey | undefined;
  private inbox = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly session: QuicTlsSession,
    private readonly provider: CryptoProvider,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.failure ??= e;
      this.wake();
    });
    this.flush();
  }

  /** Application data (after the handshake, or as 0-RTT before it when early keys exist). */
  send(data: Uint8Array): void {
    const key = this.writeKeys.get('application') ?? this.writeKeys.get('early-data');
    if (key === undefined) throw new Error('no application or 0-RTT write key yet');
    this.writeRecord(ContentType.application_data, data, key);
  }

  /** RFC 8446 §6.1 close_notify. */
  close(): void {
    const key = this.writeKeys.get('application');
    if (key !== undefined && !this.socket.destroyed) this.writeRecord(ContentType.alert, Uint8Array.of(1, 0), key);
    this.socket.end();
  }

  receivedText(): string {
    return Buffer.concat(this.received).toString('latin1');
  }

  /** Resolves when `predicate` holds; rejects on failure, close or timeout. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.failure) throw this.failure;
      if (this.session.error) throw this.session.error;
      if (this.closed)
        throw new TlsRecordError(`connection closed while waiting for ${what} (peer alert ${this.peerAlert})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TlsRecordError(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private deriveKey(level: EncryptionLevel, suite: CipherSuite, secret: Uint8Array): RecordKey {
    const info = cipherSuiteInfo(suite)!;
    // RFC 8446 §7.3 traffic keys.
    const key = hkdfExpandLabel(this.provider, info.hash, secret, 'key', new Uint8Array(0), info.keyLength);
    const iv = hkdfExpandLabel(this.provider, info.hash, secret, 'iv', new Uint8Array(0), 12);
    return { level, aead: this.provider.createAeadKey(info.aead, key), iv, seq: 0n };
  }

  /** Acts on the session's events in order. */
  private flush(): void {
    for (let e = this.session.pollEvent(); e !== undefined; e = this.session.pollEvent()) {
      this.events.push(e);
      switch (e.type) {
        case 'handshake-data':
          this.sendHandshake(e.level, e.data);
          break;
        case 'secret': {
          const key = this.deriveKey(e.level, e.cipherSuite, e.secret);
          if (e.direction === 'write') this.writeKeys.set(e.level, key);
          else this.readKey = key; // records switch keys in the order the engine installs them
          break;
        }
        case 'session-ticket':
          this.tickets.push(e.ticket);
          break;
        case 'error':
          this.failure ??= e.error;
          this.socket.destroy();
          break;
        default:
          break;
      }
    }
    this.wake();
  }

  private sendHandshake(level: EncryptionLevel, data: Uint8Array): void {
    for (let p = 0; p < data.length; p += MAX_FRAGMENT) {
      const fragment = data.subarray(p, p + MAX_FRAGMENT);
      if (level === 'initial') this.writePlain(ContentType.handshake, fragment);
      else {
        const key = this.writeKeys.get(level);
        if (key === undefined) throw new Error(`no write key for ${level}`);
        this.writeRecord(ContentType.handshake, fragment, key);
      }
    }
  }

  private writePlain(type: number, fragment: Uint8Array): void {
    const header = Buffer.from([type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff]);
    this.socket.write(Buffer.concat([header, fragment]));
  }

  /** RFC 8446 §5.2: TLSInnerPlaintext = content ‖ type, sealed with AAD = the record header. */
  private writeRecord(type: number, content: Uint8Array, key: RecordKey): void {
    const inner = new Uint8Array(content.length + 1);
    inner.set(content);
    inner[content.length] = type;
    const length = inner.length + TAG;
    const out = new Uint8Array(5 + length);
    out.set([ContentType.application_data, 0x03, 0x03, length >> 8, length & 0xff]);
    key.aead.seal(nonce(key), out.subarray(0, 5), inner, out, 5);
    key.seq++;
    this.socket.write(out);
  }

  private onData(chunk: Buffer): void {
    this.inbox = Buffer.concat([this.inbox, chunk]);
    try {
      while (this.inbox.length >= 5) {
        const length = this.inbox.readUInt16BE(3);
        if (length > MAX_FRAGMENT + 256) throw new TlsRecordError(`record of ${length} bytes`);
        if (this.inbox.length < 5 + length) break;
        const header = this.inbox.subarray(0, 5);
        const body = this.inbox.subarray(5, 5 + length);
        this.inbox = this.inbox.subarray(5 + length);
        this.onRecord(header[0], header, body);
      }
    } catch (e) {
      this.failure ??= e as Error;
      this.socket.destroy();
    }
    this.wake();
  }

  private onRecord(type: number, header: Uint8Array, body: Uint8Array): void {
    // RFC 8446 §5: a change_cipher_spec record (middlebox compatibility) is dropped.
    if (type === ContentType.change_cipher_spec) return;
    if (type === ContentType.alert && this.readKey === undefined) {
      this.peerAlert = body[1];
      return;
    }
    if (type === ContentType.handshake && this.readKey === undefined) {
      this.session.handleCryptoData('initial', body, Date.now());
      this.flush();
      return;
    }
    if (type !== ContentType.application_data || this.readKey === undefined)
      throw new TlsRecordError(`unexpected record type ${type}`);
    const key = this.readKey;
    const plain = new Uint8Array(body.length - TAG);
    if (key.aead.open(nonce(key), header, body, plain, 0) < 0) throw new TlsRecordError('record authentication failed');
    key.seq++;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--; // RFC 8446 §5.4 padding
    const innerType = plain[end - 1];
    const content = plain.subarray(0, end - 1);
    if (innerType === ContentType.handshake) {
      this.session.handleCryptoData(key.level, content, Date.now());
      this.flush();
    } else if (innerType === ContentType.application_data) {
      this.received.push(Buffer.from(content));
    } else if (innerType === ContentType.alert) {
      this.peerAlert = content[1];
      if (content[1] === 0) this.closed = true;
    } else {
      throw new TlsRecordError(`unexpected inner content type ${innerType}`);
    }
  }
}
