import type {
  CipherSuite,
  CryptoProvider,
  EarlyDataState,
  EncryptionLevel,
  KeyDirection,
  QuicTlsEvent,
  QuicTlsSession,
  TlsRole,
  TransportError,
} from '@fos/core';
import { TransportErrorCode } from '@fos/core';
import { formatKeyLogLine, KeyLogLabel } from '../keylog/key-log.js';
import { quicError, tlsAlert, toTransportError } from './alert.js';
import type { CipherSuiteInfo } from './cipher-suites.js';
import type { TlsConfig } from './config.js';
import { AlertDescription } from './constants.js';
import { exportKeyingMaterial, type KeySchedule } from './key-schedule.js';
import { Transcript } from './transcript.js';
import { type HandshakeMessage, HandshakeReassembler } from './wire/handshake-framing.js';

const EMPTY = new Uint8Array(0);

/** Bytes of several handshake messages sent back to back at one level (one `handshake-data` event). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * What client and server sessions share: the event queue, per-level input with bounded reassembly, the transcript,
 * failure handling (every exception becomes one `error` event, RFC 9001 §4.8) and the key log.
 */
export abstract class TlsSessionBase implements QuicTlsSession {
  abstract readonly role: TlsRole;

  handshakeComplete = false;
  alpnProtocol: string | undefined;
  serverName: string | undefined;
  peerTransportParameters: Uint8Array | undefined;
  peerCertificates: readonly Uint8Array[] = [];
  resumed = false;
  earlyData: EarlyDataState = 'not-offered';

  protected readonly provider: CryptoProvider;
  /** QUIC mode (RFC 9001); false = TLS over TCP (transport parameters neither sent nor accepted, EndOfEarlyData used). */
  protected readonly quic: boolean;
  protected readonly transcript: Transcript;
  protected keySchedule: KeySchedule | undefined;
  protected suite: CipherSuiteInfo | undefined;
  protected clientRandom: Uint8Array = EMPTY;
  protected exporterSecret: Uint8Array | undefined;
  protected readLevel: EncryptionLevel = 'initial';

  private failure: TransportError | undefined;
  private readonly reassembler: HandshakeReassembler;
  private events: QuicTlsEvent[] = [];
  private eventHead = 0;

  constructor(
    protected readonly config: TlsConfig,
    protected localTransportParameters: Uint8Array | undefined,
  ) {
    this.provider = config.provider;
    this.quic = localTransportParameters !== undefined;
    this.transcript = new Transcript(config.provider);
    this.reassembler = new HandshakeReassembler(config.maxHandshakeMessageBytes);
  }

  get error(): TransportError | undefined {
    return this.failure;
  }

  get cipherSuite(): CipherSuite | undefined {
    return this.suite?.suite;
  }

  /** Bytes held in the reassembly buffer (bounded by `maxHandshakeMessageBytes` + 4). */
  get bufferedBytes(): number {
    return this.reassembler.buffered;
  }

  handleCryptoData(level: EncryptionLevel, data: Uint8Array, epochMs: number): void {
    if (this.failure !== undefined) return;
    try {
      if (level !== this.readLevel) {
        // RFC 9001 §8.3: "A server MUST treat receipt of a CRYPTO frame in a 0-RTT packet as a connection error of
        // type PROTOCOL_VIOLATION."
        if (level === 'early-data' && this.quic) {
          throw quicError(TransportErrorCode.PROTOCOL_VIOLATION, 'CRYPTO data in a 0-RTT packet');
        }
        throw tlsAlert(AlertDescription.unexpected_message, `handshake data at ${level}, expected ${this.readLevel}`);
      }
      if (data.length === 0) return;
      this.reassembler.push(data);
      for (;;) {
        const message = this.reassembler.next();
        if (message === undefined) break;
        const before = this.readLevel;
        this.handleMessage(message, epochMs);
        // RFC 8446 §5.1: handshake messages must not span a key change.
        if (this.readLevel !== before && this.reassembler.buffered > 0) {
          throw tlsAlert(AlertDescription.unexpected_message, `bytes left at ${before} after a key change`);
        }
      }
    } catch (err) {
      this.fail(toTransportError(err));
    }
  }

  pollEvent(): QuicTlsEvent | undefined {
    if (this.eventHead >= this.events.length) return undefined;
    const e = this.events[this.eventHead++];
    if (this.eventHead === this.events.length) {
      this.events = [];
      this.eventHead = 0;
    }
    return e;
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (this.exporterSecret === undefined || this.suite === undefined) {
      throw new Error('exporter not available before the server Finished');
    }
    // RFC 8446 §7.5: no context and an empty context are the same in TLS 1.3.
    return exportKeyingMaterial(this.provider, this.suite.hash, this.exporterSecret, label, context ?? EMPTY, length);
  }

  abstract sendSessionTicket(epochMs: number, options?: { readonly applicationData?: Uint8Array }): void;

  /** Handles one complete handshake message that arrived at `this.readLevel`; throws to fail the handshake. */
  protected abstract handleMessage(message: HandshakeMessage, epochMs: number): void;

  protected emit(event: QuicTlsEvent): void {
    this.events.push(event);
  }

  /** Queues handshake bytes for `level`. */
  protected sendHandshake(level: EncryptionLevel, ...messages: Uint8Array[]): void {
    this.emit({ type: 'handshake-data', level, data: concat(messages) });
  }

  /** Queues a traffic secret for the transport, and logs it (SSLKEYLOGFILE). */
  protected installSecret(
    level: Exclude<EncryptionLevel, 'initial'>,
    direction: KeyDirection,
    secret: Uint8Array,
  ): void {
    const suite = level === 'early-data' ? this.earlySuite() : this.suite;
    if (suite === undefined) throw new Error('no cipher suite for the secret');
    this.emit({ type: 'secret', level, direction, cipherSuite: suite.suite, secret });
    const owner: TlsRole = (this.role === 'client') === (direction === 'write') ? 'client' : 'server';
    const label =
      level === 'early-data'
        ? KeyLogLabel.CLIENT_EARLY_TRAFFIC_SECRET
        : level === 'handshake'
          ? owner === 'client'
            ? KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET
            : KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET
          : owner === 'client'
            ? KeyLogLabel.CLIENT_TRAFFIC_SECRET_0
            : KeyLogLabel.SERVER_TRAFFIC_SECRET_0;
    this.logKey(label, secret);
  }

  /** The exporter_master_secret is known (RFC 8446 §7.1). */
  protected installExporterSecret(secret: Uint8Array): void {
    this.exporterSecret = secret;
    this.emit({ type: 'exporter-secret', cipherSuite: this.suite!.suite, secret });
    this.logKey(KeyLogLabel.EXPORTER_SECRET, secret);
  }

  /** The suite protecting 0-RTT (the resumed ticket's, RFC 8446 §4.2.10); the negotiated one otherwise. */
  protected earlySuite(): CipherSuiteInfo | undefined {
    return this.suite;
  }

  protected setReadLevel(level: EncryptionLevel): void {
    this.readLevel = level;
  }

  protected fail(error: TransportError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.reassembler.clear();
    this.emit({ type: 'error', error });
  }

  private logKey(label: KeyLogLabel, secret: Uint8Array): void {
    const log = this.config.keyLog;
    if (log === undefined || this.clientRandom.length !== 32) return;
    try {
      log(formatKeyLogLine(label, this.clientRandom, secret));
    } catch {
      // A failing key log must not break the handshake.
    }
  }
}
