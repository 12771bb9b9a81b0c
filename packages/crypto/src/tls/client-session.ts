// RFC 8446 client state machine (Appendix A.1) as profiled for QUIC by RFC 9001 §4 and §8.
import {
  type KeyShare,
  type QuicTlsClientOptions,
  type QuicTlsSessionTicket,
  type SignatureScheme,
  TransportErrorCode,
} from '@fos/core';
import { CertificateError } from '../x509/certificate-error.js';
import { parseIpAddress } from '../x509/hostname.js';
import { parseX509 } from '../x509/x509-certificate.js';
import { quicError, tlsAlert } from './alert.js';
import { type CipherSuiteInfo, cipherSuiteInfo } from './cipher-suites.js';
import type { TlsConfig } from './config.js';
import {
  AlertDescription,
  ExtensionType,
  HandshakeType,
  MAX_TICKET_LIFETIME_SECONDS,
  PskKeyExchangeMode,
  QUIC_EARLY_DATA_SENTINEL,
  TLS12,
  TLS13,
} from './constants.js';
import { checkExtensions } from './extension-rules.js';
import { KeySchedule, resumptionPsk, timingSafeEqual } from './key-schedule.js';
import { selectCertificate } from './local-certificate.js';
import { TlsSessionBase } from './session-base.js';
import { certificateVerifyContent } from './signature-content.js';
import { encodeCertificate, parseCertificate } from './wire/certificate.js';
import { parseCertificateRequest } from './wire/certificate-request.js';
import { encodeCertificateVerify, parseCertificateVerify } from './wire/certificate-verify.js';
import { encodeClientHello } from './wire/client-hello.js';
import { parseEncryptedExtensions } from './wire/encrypted-extensions.js';
import {
  bindersLength,
  encodeAlpn,
  encodeCookie,
  encodeEarlyDataEmpty,
  encodeKeyShareClient,
  encodeOfferedPsks,
  encodePskModes,
  encodeServerName,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeSupportedVersionsClient,
  parseAlpn,
  parseCookie,
  parseEarlyDataEmpty,
  parseEarlyDataTicket,
  parseKeyShareHrr,
  parseKeyShareServer,
  parsePskServer,
  parseSignatureAlgorithms,
  parseSupportedVersionsServer,
} from './wire/extension-codecs.js';
import { type Extension, findExtension } from './wire/extensions.js';
import { encodeFinished, parseFinished } from './wire/finished.js';
import { frameHandshake, type HandshakeMessage } from './wire/handshake-framing.js';
import { parseNewSessionTicket } from './wire/new-session-ticket.js';
import { isHelloRetryRequest, parseServerHello, type ServerHello } from './wire/server-hello.js';

const EMPTY = new Uint8Array(0);

/**
 * Client session options: the transport's {@link QuicTlsClientOptions}, where `transportParameters` may be omitted
 * to speak TLS over TCP (interop tests against TLS stacks; RFC 9001 §8.2 forbids the extension there).
 */
export interface TlsClientSessionOptions extends Omit<QuicTlsClientOptions, 'transportParameters'> {
  readonly transportParameters?: Uint8Array;
}

type ClientState =
  | 'wait-sh'
  | 'wait-sh2'
  | 'wait-ee'
  | 'wait-cert-cr'
  | 'wait-cert'
  | 'wait-cv'
  | 'wait-finished'
  | 'connected';

interface OfferedPsk {
  readonly ticket: QuicTlsSessionTicket;
  readonly suite: CipherSuiteInfo;
  readonly schedule: KeySchedule;
}

/** A TLS 1.3 client handshake; queues its ClientHello (and 0-RTT secret) on creation. */
export class TlsClientSession extends TlsSessionBase {
  readonly role = 'client' as const;

  private state: ClientState = 'wait-sh';
  private readonly alpnOffer: readonly string[];
  private readonly sni: string | undefined;
  private readonly verifyHost: string | undefined;
  private keyShares: KeyShare[];
  private psk: OfferedPsk | undefined;
  private pskAccepted = false;
  private earlySuiteInfo: CipherSuiteInfo | undefined;
  private hrr: { readonly suite: CipherSuiteInfo; readonly group: number | undefined } | undefined;
  private cookie: Uint8Array | undefined;
  private offered = new Set<number>();
  private certificateRequest: { readonly context: Uint8Array; readonly schemes: readonly number[] } | undefined;
  private leafSpki: Uint8Array | undefined;
  private clientHandshakeSecret: Uint8Array = EMPTY;
  private serverHandshakeSecret: Uint8Array = EMPTY;
  private resumptionMasterSecret: Uint8Array | undefined;

  constructor(config: TlsConfig, options: TlsClientSessionOptions) {
    super(config, options.transportParameters);
    this.alpnOffer = options.alpnProtocols;
    // RFC 9001 §8.1: QUIC endpoints MUST use ALPN.
    if (this.quic && this.alpnOffer.length === 0) throw new RangeError('QUIC requires at least one ALPN protocol');
    // RFC 6066 §3: literal IP addresses are not sent as SNI.
    this.sni =
      options.serverName !== undefined && parseIpAddress(options.serverName) === undefined
        ? options.serverName
        : undefined;
    this.serverName = options.serverName;
    this.verifyHost = options.verifyHost ?? options.serverName;
    this.clientRandom = this.provider.randomBytes(32);
    this.keyShares = config.keyShareGroups.map((g) => this.provider.generateKeyShare(g));
    this.psk = this.usableTicket(options.resumeSession, options.epochMs);
    const t = this.psk?.ticket;
    if (
      options.enableEarlyData &&
      t !== undefined &&
      t.maxEarlyDataSize > 0 &&
      (!this.quic || t.maxEarlyDataSize === QUIC_EARLY_DATA_SENTINEL) &&
      // RFC 8446 §4.2.10: 0-RTT uses the ALPN protocol of the session it resumes.
      (t.alpnProtocol === undefined
        ? this.alpnOffer.length === 0 || !this.quic
        : this.alpnOffer.includes(t.alpnProtocol))
    ) {
      this.earlyData = 'offered';
    }
    const hello = this.buildClientHello(options.epochMs);
    this.transcript.add(hello);
    this.sendHandshake('initial', hello);
    if (this.earlyData === 'offered' && this.psk !== undefined) {
      // RFC 8446 §7.1 client_early_traffic_secret over ClientHello, with the PSK's hash and suite (§4.2.10).
      this.earlySuiteInfo = this.psk.suite;
      const chHash = this.provider.digest(this.psk.suite.hash, hello);
      this.installSecret('early-data', 'write', this.psk.schedule.clientEarlyTrafficSecret(chHash));
    }
  }

  /** Always throws: only a server issues session tickets. */
  sendSessionTicket(_epochMs?: number, _options?: { readonly applicationData?: Uint8Array }): never {
    throw new Error('only a server issues session tickets');
  }

  protected override earlySuite(): CipherSuiteInfo | undefined {
    return this.earlySuiteInfo ?? this.suite;
  }

  protected handleMessage(m: HandshakeMessage, epochMs: number): void {
    switch (this.state) {
      case 'wait-sh':
      case 'wait-sh2':
        if (m.type !== HandshakeType.server_hello) break;
        this.onServerHello(m, epochMs);
        return;
      case 'wait-ee':
        if (m.type !== HandshakeType.encrypted_extensions) break;
        this.onEncryptedExtensions(m);
        return;
      case 'wait-cert-cr':
        if (m.type === HandshakeType.certificate_request) {
          this.onCertificateRequest(m);
          return;
        }
        if (m.type === HandshakeType.certificate) {
          this.onCertificate(m, epochMs);
          return;
        }
        break;
      case 'wait-cert':
        if (m.type !== HandshakeType.certificate) break;
        this.onCertificate(m, epochMs);
        return;
      case 'wait-cv':
        if (m.type !== HandshakeType.certificate_verify) break;
        this.onCertificateVerify(m);
        return;
      case 'wait-finished':
        if (m.type !== HandshakeType.finished) break;
        this.onFinished(m);
        return;
      case 'connected':
        this.onPostHandshake(m, epochMs);
        return;
    }
    throw tlsAlert(AlertDescription.unexpected_message, `handshake message ${m.type} in state ${this.state}`);
  }

  /** A resumption ticket that may still be offered (RFC 8446 §4.2.11.1, §4.6.1), or undefined. */
  private usableTicket(t: QuicTlsSessionTicket | undefined, epochMs: number): OfferedPsk | undefined {
    if (t === undefined || t.ticket.length === 0 || t.psk.length === 0) return undefined;
    const suite = cipherSuiteInfo(t.cipherSuite);
    if (suite === undefined || !this.config.cipherSuites.some((s) => s.suite === suite.suite)) return undefined;
    const ageMs = epochMs - t.receivedAtEpochMs;
    const lifetimeMs = Math.min(t.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000;
    if (ageMs >= lifetimeMs || t.psk.length !== suite.hashLength) return undefined;
    return { ticket: t, suite, schedule: new KeySchedule(this.provider, suite.hash, t.psk) };
  }

  /** RFC 8446 §4.1.2 ClientHello (ClientHello2 after a HelloRetryRequest, §4.1.4), with PSK binders (§4.2.11.2). */
  private buildClientHello(epochMs: number): Uint8Array {
    const E = ExtensionType;
    const exts: Extension[] = [];
    if (this.sni !== undefined) exts.push({ type: E.server_name, data: encodeServerName(this.sni) });
    exts.push({ type: E.supported_versions, data: encodeSupportedVersionsClient([TLS13]) });
    exts.push({ type: E.supported_groups, data: encodeSupportedGroups(this.config.groups) });
    exts.push({ type: E.signature_algorithms, data: encodeSignatureAlgorithms(this.config.signatureSchemes) });
    exts.push({
      type: E.signature_algorithms_cert,
      data: encodeSignatureAlgorithms(this.config.certificateSignatureSchemes),
    });
    exts.push({
      type: E.key_share,
      data: encodeKeyShareClient(this.keyShares.map((s) => ({ group: s.group, keyExchange: s.publicKey }))),
    });
    if (this.alpnOffer.length > 0)
      exts.push({ type: E.application_layer_protocol_negotiation, data: encodeAlpn(this.alpnOffer) });
    if (this.localTransportParameters !== undefined) {
      exts.push({ type: E.quic_transport_parameters, data: this.localTransportParameters });
    }
    // RFC 8446 §4.2.9: only psk_dhe_ke (forward secrecy on resumption).
    exts.push({ type: E.psk_key_exchange_modes, data: encodePskModes([PskKeyExchangeMode.psk_dhe_ke]) });
    // RFC 8446 §4.2.10: never early_data in ClientHello2.
    if (this.earlyData === 'offered' && this.hrr === undefined)
      exts.push({ type: E.early_data, data: encodeEarlyDataEmpty() });
    // RFC 8446 §4.2.2: echo the HelloRetryRequest cookie.
    if (this.cookie !== undefined) exts.push({ type: E.cookie, data: encodeCookie(this.cookie) });
    const psk = this.psk;
    let binderLength = 0;
    if (psk !== undefined) {
      // RFC 8446 §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32.
      const age = Math.max(0, Math.floor(epochMs - psk.ticket.receivedAtEpochMs));
      const placeholder = new Uint8Array(psk.suite.hashLength);
      binderLength = bindersLength([placeholder]);
      exts.push({
        type: E.pre_shared_key, // RFC 8446 §4.2.11: MUST be the last extension
        data: encodeOfferedPsks({
          identities: [{ identity: psk.ticket.ticket, obfuscatedTicketAge: (age + psk.ticket.ageAdd) >>> 0 }],
          binders: [placeholder],
        }),
      });
    }
    this.offered = new Set(exts.map((e) => e.type));
    const hello = encodeClientHello({
      legacyVersion: TLS12,
      random: this.clientRandom,
      legacySessionId: EMPTY, // RFC 9001 §8.4: no middlebox compatibility mode
      cipherSuites: this.config.cipherSuites.map((s) => s.suite),
      legacyCompressionMethods: Uint8Array.of(0),
      extensions: exts,
    });
    if (psk !== undefined) {
      // RFC 8446 §4.2.11.2: the binder is an HMAC over Transcript-Hash(Truncate(ClientHello)) (after ClientHello1 and
      // HelloRetryRequest when retrying).
      const truncated = hello.subarray(0, hello.length - binderLength);
      const binderHash =
        this.hrr === undefined
          ? this.provider.digest(psk.suite.hash, truncated)
          : this.transcript.currentWith(truncated);
      const binder = psk.schedule.verifyData(psk.schedule.binderKey(), binderHash);
      hello.set(binder, hello.length - binder.length);
    }
    return hello;
  }

  /** RFC 8446 §4.1.3 / §4.1.4 checks shared by ServerHello and HelloRetryRequest; returns the suite. */
  private checkHello(sh: ServerHello, kind: 'SH' | 'HRR'): CipherSuiteInfo {
    const sv = findExtension(sh.extensions, ExtensionType.supported_versions);
    // RFC 9001 §4.2: a TLS version older than 1.3 MUST end the connection.
    if (sv === undefined) throw tlsAlert(AlertDescription.protocol_version, 'server negotiated TLS 1.2 or older');
    // RFC 8446 §4.2.1: a version not offered or older than 1.3 is an illegal_parameter.
    if (parseSupportedVersionsServer(sv) !== TLS13)
      throw tlsAlert(AlertDescription.illegal_parameter, 'selected_version');
    checkExtensions(sh.extensions, kind, (t) => this.offered.has(t));
    if (sh.legacySessionIdEcho.length !== 0) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'legacy_session_id_echo differs from the ClientHello');
    }
    const suite = this.config.cipherSuites.find((s) => s.suite === sh.cipherSuite);
    if (suite === undefined)
      throw tlsAlert(AlertDescription.illegal_parameter, `cipher suite 0x${sh.cipherSuite.toString(16)} not offered`);
    // RFC 8446 §4.1.4: the ServerHello keeps the HelloRetryRequest's cipher suite.
    if (this.hrr !== undefined && this.hrr.suite !== suite) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'cipher suite changed after HelloRetryRequest');
    }
    if (sh.legacyCompressionMethod !== 0)
      throw tlsAlert(AlertDescription.illegal_parameter, 'legacy_compression_method');
    return suite;
  }

  private onServerHello(m: HandshakeMessage, epochMs: number): void {
    const sh = parseServerHello(m.body);
    if (isHelloRetryRequest(sh)) {
      // RFC 8446 §4.1.4: a second HelloRetryRequest is an unexpected_message.
      if (this.state === 'wait-sh2') throw tlsAlert(AlertDescription.unexpected_message, 'second HelloRetryRequest');
      this.onHelloRetryRequest(sh, m, epochMs);
      return;
    }
    const suite = this.checkHello(sh, 'SH');
    const pskData = findExtension(sh.extensions, ExtensionType.pre_shared_key);
    if (pskData !== undefined) {
      const psk = this.psk!; // offered, or checkExtensions refused it
      // RFC 8446 §4.2.11: selected_identity in range and a suite with the PSK's hash.
      if (parsePskServer(pskData) !== 0)
        throw tlsAlert(AlertDescription.illegal_parameter, 'selected_identity out of range');
      if (psk.suite.hash !== suite.hash)
        throw tlsAlert(AlertDescription.illegal_parameter, 'cipher suite hash differs from the PSK');
      this.pskAccepted = true;
    }
    const ksData = findExtension(sh.extensions, ExtensionType.key_share);
    if (ksData === undefined) {
      // RFC 8446 §4.2.11: psk_dhe_ke requires a key_share; without a PSK the handshake cannot proceed at all.
      throw tlsAlert(
        this.pskAccepted ? AlertDescription.illegal_parameter : AlertDescription.missing_extension,
        'ServerHello without key_share',
      );
    }
    const entry = parseKeyShareServer(ksData);
    const share = this.keyShares.find((s) => s.group === entry.group);
    // RFC 8446 §4.2.8: the server share must be in a group the client sent a share for (the HRR group after a retry).
    if (share === undefined || (this.hrr?.group !== undefined && entry.group !== this.hrr.group)) {
      throw tlsAlert(
        AlertDescription.illegal_parameter,
        `key_share group 0x${entry.group.toString(16)} was not offered`,
      );
    }
    const shared = share.deriveSecret(entry.keyExchange);
    this.keyShares = [];
    this.suite = suite;
    this.resumed = this.pskAccepted;
    const ks = this.pskAccepted ? this.psk!.schedule : new KeySchedule(this.provider, suite.hash);
    this.keySchedule = ks;
    this.transcript.setAlgorithm(suite.hash);
    this.transcript.add(m.message);
    ks.deriveHandshakeSecret(shared);
    const h = this.transcript.current();
    this.clientHandshakeSecret = ks.clientHandshakeTrafficSecret(h);
    this.serverHandshakeSecret = ks.serverHandshakeTrafficSecret(h);
    this.installSecret('handshake', 'read', this.serverHandshakeSecret);
    this.installSecret('handshake', 'write', this.clientHandshakeSecret);
    this.setReadLevel('handshake');
    this.state = 'wait-ee';
  }

  private onHelloRetryRequest(sh: ServerHello, m: HandshakeMessage, epochMs: number): void {
    const suite = this.checkHello(sh, 'HRR');
    const ksData = findExtension(sh.extensions, ExtensionType.key_share);
    const cookieData = findExtension(sh.extensions, ExtensionType.cookie);
    let group: number | undefined;
    if (ksData !== undefined) {
      group = parseKeyShareHrr(ksData);
      // RFC 8446 §4.2.8: the group must be supported and not one a share was already sent for.
      if (!this.config.groups.includes(group as never) || this.keyShares.some((s) => s.group === group)) {
        throw tlsAlert(AlertDescription.illegal_parameter, `HelloRetryRequest group 0x${group.toString(16)}`);
      }
    }
    const cookie = cookieData === undefined ? undefined : parseCookie(cookieData).slice();
    // RFC 8446 §4.1.4: a HelloRetryRequest that would not change the ClientHello is an illegal_parameter.
    if (group === undefined && cookie === undefined) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'HelloRetryRequest would not change the ClientHello');
    }
    this.hrr = { suite, group };
    this.cookie = cookie;
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
    this.transcript.setAlgorithm(suite.hash);
    this.transcript.replaceWithMessageHash();
    this.transcript.add(m.message);
    // RFC 9001 §4.6.2: a HelloRetryRequest always rejects 0-RTT.
    if (this.earlyData === 'offered') {
      this.earlyData = 'rejected';
      this.emit({ type: 'early-data', accepted: false });
    }
    // RFC 8446 §4.1.4: do not offer PSKs whose hash differs from the selected suite's.
    if (this.psk !== undefined && this.psk.suite.hash !== suite.hash) this.psk = undefined;
    if (group !== undefined) this.keyShares = [this.provider.generateKeyShare(group as never)];
    const hello = this.buildClientHello(epochMs);
    this.transcript.add(hello);
    this.sendHandshake('initial', hello);
    this.state = 'wait-sh2';
  }

  private onEncryptedExtensions(m: HandshakeMessage): void {
    const ee = parseEncryptedExtensions(m.body);
    checkExtensions(ee.extensions, 'EE', (t) => this.offered.has(t));
    const sni = findExtension(ee.extensions, ExtensionType.server_name);
    // RFC 6066 §3: the server's server_name extension is empty.
    if (sni !== undefined && sni.length !== 0)
      throw tlsAlert(AlertDescription.decode_error, 'non-empty server_name in EncryptedExtensions');
    const alpnData = findExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpnData !== undefined) {
      const list = parseAlpn(alpnData);
      // RFC 7301 §3.1: the server's ProtocolNameList holds exactly one protocol.
      if (list.length !== 1)
        throw tlsAlert(AlertDescription.illegal_parameter, 'server selected several ALPN protocols');
      // RFC 9001 §8.1: selecting a protocol the client did not offer is an error 0x0178.
      if (!this.alpnOffer.includes(list[0])) {
        throw tlsAlert(
          AlertDescription.no_application_protocol,
          `server selected ALPN ${JSON.stringify(list[0])} that was not offered`,
        );
      }
      this.alpnProtocol = list[0];
    } else if (this.quic) {
      // RFC 9001 §8.1: "QUIC clients MUST use error 0x0178 to terminate a connection when ALPN negotiation fails."
      throw tlsAlert(AlertDescription.no_application_protocol, 'server negotiated no ALPN protocol');
    }
    const tp = findExtension(ee.extensions, ExtensionType.quic_transport_parameters);
    if (this.quic) {
      // RFC 9001 §8.2: missing quic_transport_parameters → 0x016d (missing_extension).
      if (tp === undefined) throw tlsAlert(AlertDescription.missing_extension, 'no quic_transport_parameters');
      this.peerTransportParameters = tp.slice();
    }
    const early = findExtension(ee.extensions, ExtensionType.early_data);
    if (early !== undefined) {
      parseEarlyDataEmpty(early);
      // RFC 8446 §4.2.11: accepting early data requires the first PSK (and, §4.2.10, the session's ALPN).
      if (!this.pskAccepted) throw tlsAlert(AlertDescription.illegal_parameter, 'early_data accepted without the PSK');
      if (this.psk!.ticket.alpnProtocol !== this.alpnProtocol) {
        throw tlsAlert(AlertDescription.illegal_parameter, 'early_data accepted with a different ALPN protocol');
      }
    }
    this.transcript.add(m.message);
    if (this.peerTransportParameters !== undefined) {
      this.emit({ type: 'transport-parameters', data: this.peerTransportParameters });
    }
    if (this.alpnProtocol !== undefined) this.emit({ type: 'alpn', protocol: this.alpnProtocol });
    if (this.earlyData === 'offered') {
      this.earlyData = early !== undefined ? 'accepted' : 'rejected';
      this.emit({ type: 'early-data', accepted: early !== undefined });
    }
    this.state = this.pskAccepted ? 'wait-finished' : 'wait-cert-cr';
  }

  private onCertificateRequest(m: HandshakeMessage): void {
    const cr = parseCertificateRequest(m.body);
    // RFC 8446 §4.3.2: the context is empty outside post-handshake authentication.
    if (cr.requestContext.length !== 0)
      throw tlsAlert(AlertDescription.illegal_parameter, 'certificate_request_context');
    checkExtensions(cr.extensions, 'CR');
    const sigalgs = findExtension(cr.extensions, ExtensionType.signature_algorithms);
    if (sigalgs === undefined)
      throw tlsAlert(AlertDescription.missing_extension, 'CertificateRequest without signature_algorithms');
    this.certificateRequest = { context: cr.requestContext.slice(), schemes: parseSignatureAlgorithms(sigalgs) };
    this.transcript.add(m.message);
    this.state = 'wait-cert';
  }

  private onCertificate(m: HandshakeMessage, epochMs: number): void {
    const cert = parseCertificate(m.body);
    if (cert.requestContext.length !== 0)
      throw tlsAlert(AlertDescription.illegal_parameter, 'certificate_request_context');
    // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
    if (cert.entries.length === 0) throw tlsAlert(AlertDescription.decode_error, 'empty server Certificate');
    // RFC 8446 §4.4.2: entry extensions must answer ClientHello extensions (none requested here).
    for (const e of cert.entries) checkExtensions(e.extensions, 'CT', () => false);
    const chain = cert.entries.map((e) => e.data.slice());
    this.verifyChain(chain, epochMs);
    this.peerCertificates = chain;
    this.transcript.add(m.message);
    this.state = 'wait-cv';
  }

  private verifyChain(chain: Uint8Array[], epochMs: number): void {
    try {
      this.config.verifier.verify(chain, { host: this.verifyHost, epochMs, purpose: 'server' });
      this.leafSpki = parseX509(chain[0]).spki;
    } catch (e) {
      if (e instanceof CertificateError) throw tlsAlert(e.alert, e.message, e);
      throw tlsAlert(AlertDescription.bad_certificate, e instanceof Error ? e.message : String(e), e);
    }
  }

  private onCertificateVerify(m: HandshakeMessage): void {
    const cv = parseCertificateVerify(m.body);
    // RFC 8446 §4.4.3: the scheme must be one the client offered (never rsa_pkcs1).
    if (!this.config.signatureSchemes.includes(cv.scheme as SignatureScheme)) {
      throw tlsAlert(
        AlertDescription.illegal_parameter,
        `CertificateVerify scheme 0x${cv.scheme.toString(16)} not offered`,
      );
    }
    const content = certificateVerifyContent('server', this.transcript.current());
    if (!this.provider.verify(cv.scheme as SignatureScheme, this.leafSpki!, content, cv.signature)) {
      throw tlsAlert(AlertDescription.decrypt_error, 'CertificateVerify signature does not verify');
    }
    this.transcript.add(m.message);
    this.state = 'wait-finished';
  }

  private onFinished(m: HandshakeMessage): void {
    const suite = this.suite!;
    const ks = this.keySchedule!;
    const verifyData = parseFinished(m.body, suite.hashLength);
    // RFC 8446 §4.4.4: a wrong verify_data is a decrypt_error.
    if (!timingSafeEqual(verifyData, ks.verifyData(this.serverHandshakeSecret, this.transcript.current()))) {
      throw tlsAlert(AlertDescription.decrypt_error, 'server Finished does not verify');
    }
    this.transcript.add(m.message);
    ks.deriveMasterSecret();
    const h = this.transcript.current();
    const clientApp = ks.clientApplicationTrafficSecret(h);
    this.installSecret('application', 'read', ks.serverApplicationTrafficSecret(h));
    this.installExporterSecret(ks.exporterMasterSecret(h));
    // RFC 8446 §4.5 over TCP only: EndOfEarlyData under the 0-RTT key (RFC 9001 §8.3 removes it from QUIC).
    if (!this.quic && this.earlyData === 'accepted') {
      const eoed = frameHandshake(HandshakeType.end_of_early_data, EMPTY);
      this.transcript.add(eoed);
      this.sendHandshake('early-data', eoed);
    }
    const flight: Uint8Array[] = [];
    if (this.certificateRequest !== undefined) this.writeClientCertificate(flight);
    const fin = encodeFinished(ks.verifyData(this.clientHandshakeSecret, this.transcript.current()));
    this.transcript.add(fin);
    flight.push(fin);
    this.sendHandshake('handshake', ...flight);
    this.resumptionMasterSecret = ks.resumptionMasterSecret(this.transcript.current());
    this.installSecret('application', 'write', clientApp);
    this.handshakeComplete = true;
    this.emit({ type: 'handshake-complete' });
    this.setReadLevel('application');
    this.state = 'connected';
  }

  /** RFC 8446 §4.4.2 / §4.4.3: Certificate (empty when nothing fits the request) and CertificateVerify. */
  private writeClientCertificate(flight: Uint8Array[]): void {
    const request = this.certificateRequest!;
    const chosen = selectCertificate(this.config.certificates, request.schemes, undefined);
    const cert = encodeCertificate({
      requestContext: request.context,
      entries: chosen === undefined ? [] : chosen.certificate.chain.map((data) => ({ data, extensions: [] })),
    });
    this.transcript.add(cert);
    flight.push(cert);
    if (chosen === undefined) return;
    const content = certificateVerifyContent('client', this.transcript.current());
    const cv = encodeCertificateVerify({
      scheme: chosen.scheme,
      signature: chosen.certificate.key.sign(chosen.scheme, content),
    });
    this.transcript.add(cv);
    flight.push(cv);
  }

  private onPostHandshake(m: HandshakeMessage, epochMs: number): void {
    if (m.type === HandshakeType.new_session_ticket) {
      this.onNewSessionTicket(m, epochMs);
      return;
    }
    if (m.type === HandshakeType.certificate_request && this.quic) {
      // RFC 9001 §4.4: post-handshake CertificateRequest → PROTOCOL_VIOLATION.
      throw quicError(TransportErrorCode.PROTOCOL_VIOLATION, 'post-handshake CertificateRequest');
    }
    // RFC 9001 §6: KeyUpdate → 0x010a (unexpected_message); anything else is unexpected too.
    throw tlsAlert(AlertDescription.unexpected_message, `post-handshake message ${m.type}`);
  }

  private onNewSessionTicket(m: HandshakeMessage, epochMs: number): void {
    const nst = parseNewSessionTicket(m.body);
    checkExtensions(nst.extensions, 'NST');
    const early = findExtension(nst.extensions, ExtensionType.early_data);
    const maxEarlyDataSize = early === undefined ? 0 : parseEarlyDataTicket(early);
    // RFC 9001 §4.6.1: any max_early_data_size other than 0xffffffff is a PROTOCOL_VIOLATION.
    if (this.quic && early !== undefined && maxEarlyDataSize !== QUIC_EARLY_DATA_SENTINEL) {
      throw quicError(
        TransportErrorCode.PROTOCOL_VIOLATION,
        `max_early_data_size ${maxEarlyDataSize} in a QUIC ticket`,
      );
    }
    // RFC 8446 §4.6.1: lifetime 0 = discard; never keep longer than 7 days.
    if (nst.lifetimeSeconds === 0) return;
    const suite = this.suite!;
    this.emit({
      type: 'session-ticket',
      ticket: {
        serverName: this.serverName ?? this.verifyHost ?? '',
        alpnProtocol: this.alpnProtocol,
        cipherSuite: suite.suite,
        ticket: nst.ticket.slice(),
        psk: resumptionPsk(this.provider, suite.hash, this.resumptionMasterSecret!, nst.nonce),
        ageAdd: nst.ageAdd,
        receivedAtEpochMs: epochMs,
        lifetimeSeconds: Math.min(nst.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS),
        maxEarlyDataSize,
      },
    });
  }
}
