import { token } from '../di/token.js';
import type { TransportError } from '../errors.js';
import type { CipherSuite } from './crypto-provider.js';

/**
 * RFC 9001 §2.1 / §4.1.3 encryption levels. CRYPTO data travels at `initial`, `handshake` and `application`;
 * `early-data` (0-RTT) only ever carries keys in QUIC (RFC 9001 §8.3).
 */
export type EncryptionLevel = 'initial' | 'early-data' | 'handshake' | 'application';

/** Which side of a connection a TLS session plays. */
export type TlsRole = 'client' | 'server';

/** Whether a secret protects what this endpoint sends (`write`) or what it receives (`read`). */
export type KeyDirection = 'read' | 'write';

/** What became of 0-RTT on this session (RFC 8446 §4.2.10, RFC 9001 §4.6). */
export type EarlyDataState = 'not-offered' | 'offered' | 'accepted' | 'rejected';

/**
 * An event a {@link QuicTlsSession} reports, polled in order with `pollEvent()`. The order is the order in which the
 * transport must act on them: install a `secret` before sending `handshake-data` of that level, and so on
 * (RFC 9001 §4.1.4 Figure 5).
 */
export type QuicTlsEvent =
  /** Handshake bytes to send in CRYPTO frames at `level` (appended to that level's outgoing crypto stream). */
  | { readonly type: 'handshake-data'; readonly level: EncryptionLevel; readonly data: Uint8Array }
  /**
   * A new traffic secret for `level` and `direction` (RFC 9001 §4.1.4, §5.1): derive packet and header protection
   * keys from it with the cipher suite's AEAD and hash. Never emitted for `initial` (RFC 9001 §5.2 derives those
   * from the connection ID).
   */
  | {
      readonly type: 'secret';
      readonly level: Exclude<EncryptionLevel, 'initial'>;
      readonly direction: KeyDirection;
      readonly cipherSuite: CipherSuite;
      readonly secret: Uint8Array;
    }
  /** RFC 8446 §7.1 exporter_master_secret (for exporters; `exportKeyingMaterial` does the expansion). */
  | { readonly type: 'exporter-secret'; readonly cipherSuite: CipherSuite; readonly secret: Uint8Array }
  /**
   * The peer's quic_transport_parameters extension body (RFC 9001 §8.2), opaque to TLS. Not authenticated until
   * `handshake-complete`.
   */
  | { readonly type: 'transport-parameters'; readonly data: Uint8Array }
  /** The negotiated ALPN protocol (RFC 7301; mandatory in QUIC, RFC 9001 §8.1). */
  | { readonly type: 'alpn'; readonly protocol: string }
  /**
   * 0-RTT was accepted or rejected (RFC 9001 §4.6.2). A server reports it while processing the ClientHello; a
   * client on EncryptedExtensions (or on a HelloRetryRequest, which always rejects 0-RTT). On `accepted: false` the
   * transport discards 0-RTT keys and, on the client, resets what it sent in 0-RTT.
   */
  | { readonly type: 'early-data'; readonly accepted: boolean }
  /** RFC 9001 §4.1.1: this endpoint has sent its Finished and verified the peer's. */
  | { readonly type: 'handshake-complete' }
  /** Client: a NewSessionTicket arrived (RFC 8446 §4.6.1). Store it (with your application data) to resume later. */
  | { readonly type: 'session-ticket'; readonly ticket: QuicTlsSessionTicket }
  /**
   * The handshake failed. `error.code` is 0x0100 + TLS alert (RFC 9001 §4.8) or a QUIC transport code where RFC 9001
   * names one (PROTOCOL_VIOLATION, CRYPTO_BUFFER_EXCEEDED). Close the connection with it; the session is dead.
   */
  | { readonly type: 'error'; readonly error: TransportError };

export type QuicTlsEventType = QuicTlsEvent['type'];

/**
 * A resumable TLS 1.3 session as the client keeps it (RFC 8446 §4.6.1): the ticket, the PSK derived from it and the
 * values negotiated on the connection that issued it. A plain data object, so it can be serialised; treat `psk` as
 * secret. `applicationData` is for the transport and application (e.g. the server's transport parameters and HTTP/3
 * SETTINGS remembered for 0-RTT, RFC 9000 §7.4.1, RFC 9114 §7.2.4.2): copy the ticket with it set before storing.
 */
export interface QuicTlsSessionTicket {
  /** The SNI the ticket was obtained with (RFC 8446 §4.6.1: resume only for the same server). */
  readonly serverName: string;
  /** ALPN protocol negotiated on the issuing connection; 0-RTT must use the same (RFC 8446 §4.2.10). */
  readonly alpnProtocol: string | undefined;
  readonly cipherSuite: CipherSuite;
  /** The opaque ticket, sent as the PSK identity. */
  readonly ticket: Uint8Array;
  /** The resumption PSK (RFC 8446 §4.6.1 HKDF-Expand-Label(resumption_master_secret, "resumption", nonce)). */
  readonly psk: Uint8Array;
  /** RFC 8446 §4.6.1 ticket_age_add. */
  readonly ageAdd: number;
  /** Unix epoch ms at which the client received the ticket (start of the ticket age, RFC 8446 §4.2.11.1). */
  readonly receivedAtEpochMs: number;
  /** RFC 8446 §4.6.1 ticket_lifetime (seconds, at most 604800). */
  readonly lifetimeSeconds: number;
  /** RFC 8446 §4.6.1 max_early_data_size; 0 when the ticket does not allow 0-RTT (0xffffffff in QUIC). */
  readonly maxEarlyDataSize: number;
  /** Opaque bytes the transport/application attaches (never sent to the server). */
  readonly applicationData?: Uint8Array;
}

/**
 * A client-side store of session tickets, keyed by server name and ALPN protocol. Tickets are single-use (RFC 9001
 * §4.5, RFC 8446 §C.4): `take` removes what it returns.
 */
export interface QuicTlsSessionCache {
  store(ticket: QuicTlsSessionTicket): void;
  /** Removes and returns the freshest unexpired ticket for this server and ALPN protocol. */
  take(serverName: string, alpnProtocol: string, epochMs: number): QuicTlsSessionTicket | undefined;
}
export const QuicTlsSessionCache = token<QuicTlsSessionCache>('fos.QuicTlsSessionCache');

/** What a server knows about a 0-RTT attempt when deciding whether to accept it (RFC 9001 §4.6.3). */
export interface QuicTlsEarlyDataRequest {
  readonly serverName: string | undefined;
  readonly alpnProtocol: string | undefined;
  /** The application data the server stored in the ticket when it issued it. */
  readonly applicationData: Uint8Array | undefined;
}

/** Options common to both roles; the transport sets these. */
export interface QuicTlsSessionOptions {
  /**
   * ALPN protocols (RFC 7301): the client's offer in preference order, or the server's supported protocols in
   * preference order. QUIC requires a match (RFC 9001 §8.1).
   */
  readonly alpnProtocols: readonly string[];
  /** The local quic_transport_parameters extension body (RFC 9001 §8.2), opaque to TLS. */
  readonly transportParameters: Uint8Array;
  /** Unix epoch ms now (certificate validity and ticket ages are wall-clock: `Clock.epochMs()`). */
  readonly epochMs: number;
}

export interface QuicTlsClientOptions extends QuicTlsSessionOptions {
  /** SNI (RFC 6066) and the name the server certificate must match. Omit for an IP literal (then set `verifyHost`). */
  readonly serverName?: string;
  /**
   * The host (DNS name or IP literal) the certificate is verified against; defaults to `serverName`. Set it to the
   * IP address when connecting by address (no SNI is sent for IP literals, RFC 6066 §3).
   */
  readonly verifyHost?: string;
  /** A ticket to resume with (take it from a {@link QuicTlsSessionCache}). */
  readonly resumeSession?: QuicTlsSessionTicket;
  /** Offer 0-RTT when `resumeSession` allows it (RFC 9001 §4.6.1). */
  readonly enableEarlyData?: boolean;
}

export interface QuicTlsServerOptions extends QuicTlsSessionOptions {
  /** Accept 0-RTT at all (tickets then carry max_early_data_size 0xffffffff, RFC 9001 §4.6.1). Default false. */
  readonly enableEarlyData?: boolean;
  /**
   * Called for a 0-RTT attempt that TLS would accept; return false to reject (e.g. the remembered transport
   * parameters or SETTINGS no longer match, RFC 9001 §4.6.3). Default: accept.
   */
  readonly acceptEarlyData?: (request: QuicTlsEarlyDataRequest) => boolean;
  /** Stored in the tickets this session issues automatically when the handshake completes. */
  readonly ticketApplicationData?: Uint8Array;
  /**
   * Called once the ClientHello is accepted, before EncryptedExtensions is built, with the client's
   * quic_transport_parameters: returns the parameters to send instead of `transportParameters`. The server's
   * parameters may depend on the client's — RFC 9368 §2.3: compatible version negotiation picks the version from the
   * client's version_information, and the server's version_information names it.
   */
  readonly selectTransportParameters?: (
    clientTransportParameters: Uint8Array,
    info: { earlyDataOffered: boolean },
  ) => Uint8Array;
}

/**
 * One TLS 1.3 handshake as QUIC drives it (RFC 9001 §4), sans-I/O: feed CRYPTO bytes in order per level with
 * `handleCryptoData`, then drain `pollEvent()` until it returns undefined. A client queues its ClientHello when
 * created. Failures never throw from `handleCryptoData`: they arrive as an `error` event.
 */
export interface QuicTlsSession {
  readonly role: TlsRole;
  /** In-order CRYPTO frame bytes received at `level`. Ignored after a failure. */
  handleCryptoData(level: EncryptionLevel, data: Uint8Array, epochMs: number): void;
  pollEvent(): QuicTlsEvent | undefined;

  /** RFC 9001 §4.1.1. */
  readonly handshakeComplete: boolean;
  /** The failure, once an `error` event was queued. */
  readonly error: TransportError | undefined;
  /** Negotiated cipher suite (after ServerHello). */
  readonly cipherSuite: CipherSuite | undefined;
  readonly alpnProtocol: string | undefined;
  /** Client: the server name it connects to (sent as SNI unless an IP literal). Server: the SNI received. */
  readonly serverName: string | undefined;
  /** The peer's transport parameters (extension 0x39 body), once received. */
  readonly peerTransportParameters: Uint8Array | undefined;
  /** The peer's certificate chain as DER, end-entity first (empty for PSK handshakes and anonymous clients). */
  readonly peerCertificates: readonly Uint8Array[];
  /** Whether a PSK from a session ticket was accepted (RFC 8446 §2.2). */
  readonly resumed: boolean;
  readonly earlyData: EarlyDataState;

  /**
   * RFC 8446 §7.5 TLS-Exporter(label, context, length); available once the server Finished was sent/received.
   * `context` undefined means "no context" which TLS 1.3 treats as empty.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  /**
   * Server, after the handshake completes: queue another NewSessionTicket (RFC 8446 §4.6.1) as `handshake-data` at
   * the `application` level. `applicationData` is stored (encrypted) in the ticket and handed back to
   * `acceptEarlyData` when a client resumes with it.
   */
  sendSessionTicket(epochMs: number, options?: { readonly applicationData?: Uint8Array }): void;
}

/**
 * Creates TLS sessions for the transport. The implementation carries the crypto configuration (certificates, trust
 * anchors, ticket keys, key log …) that the user built; the transport only sets {@link QuicTlsClientOptions} /
 * {@link QuicTlsServerOptions}. Registered through the token of the same name (default: `TlsContext` from
 * `@fos/crypto`).
 */
export interface QuicTls {
  createClient(options: QuicTlsClientOptions): QuicTlsSession;
  createServer(options: QuicTlsServerOptions): QuicTlsSession;
}
export const QuicTls = token<QuicTls>('fos.QuicTls');
