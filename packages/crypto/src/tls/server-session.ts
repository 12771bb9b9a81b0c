// RFC 8446 server state machine (Appendix A.2) as profiled for QUIC by RFC 9001 §4 and §8.
import { type QuicTlsServerOptions, type SignatureScheme, TransportErrorCode } from '@fos/core';
import { CertificateError } from '../x509/certificate-error.js';
import { parseX509 } from '../x509/x509-certificate.js';
import { quicError, tlsAlert } from './alert.js';
import { type CipherSuiteInfo, cipherSuiteInfo } from './cipher-suites.js';
import type { TlsConfig } from './config.js';
import {
  AlertDescription,
  ExtensionType,
  HandshakeType,
  HELLO_RETRY_REQUEST_RANDOM,
  PskKeyExchangeMode,
  QUIC_EARLY_DATA_SENTINEL,
  TLS12,
  TLS13,
} from './constants.js';
import { checkExtensions } from './extension-rules.js';
import { KeySchedule, resumptionPsk, timingSafeEqual } from './key-schedule.js';
import { type LocalCertificate, selectCertificate } from './local-certificate.js';
import { TlsSessionBase } from './session-base.js';
import { certificateVerifyContent } from './signature-content.js';
import type { OpenedTicket } from './ticket-protector.js';
import { encodeCertificate, parseCertificate } from './wire/certificate.js';
import { encodeCertificateRequest } from './wire/certificate-request.js';
import { encodeCertificateVerify, parseCertificateVerify } from './wire/certificate-verify.js';
import { type ParsedClientHello, parseClientHello } from './wire/client-hello.js';
import { encodeEncryptedExtensions } from './wire/encrypted-extensions.js';
import {
  encodeAlpn,
  encodeCookie,
  encodeEarlyDataEmpty,
  encodeEarlyDataTicket,
  encodeKeyShareHrr,
  encodeKeyShareServer,
  encodePskServer,
  encodeSignatureAlgorithms,
  encodeSupportedVersionsServer,
  type KeyShareEntry,
  parseAlpn,
  parseCookie,
  parseKeyShareClient,
  parseOfferedPsks,
  parsePskModes,
  parseServerName,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseSupportedVersionsClient,
} from './wire/extension-codecs.js';
import { type Extension, findExtension } from './wire/extensions.js';
import { encodeFinished, parseFinished } from './wire/finished.js';
import type { HandshakeMessage } from './wire/handshake-framing.js';
import { encodeNewSessionTicket } from './wire/new-session-ticket.js';
import { encodeServerHello } from './wire/server-hello.js';

const EMPTY = new Uint8Array(0);

/**
 * Server session options: the transport's {@link QuicTlsServerOptions}, where `transportParameters` may be omitted
 * to speak TLS over TCP (interop tests; RFC 9001 §8.2).
 */
export interface TlsServerSessionOptions extends Omit<QuicTlsServerOptions, 'transportParameters'> {
  readonly transportParameters?: Uint8Array;
}

type ServerState =
  | 'wait-ch'
  | 'wait-ch2'
  | 'wait-eoed'
  | 'wait-client-cert'
  | 'wait-client-cv'
  | 'wait-client-finished'
  | 'connected';

interface HelloRetry {
  readonly suite: CipherSuiteInfo;
  readonly group: number;
  readonly cookie: Uint8Array;
  readonly sessionId: Uint8Array;
}

interface AcceptedPsk {
  readonly index: number;
  readonly ticket: OpenedTicket;
  readonly schedule: KeySchedule;
  readonly obfuscatedAge: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A TLS 1.3 server handshake: waits for the ClientHello. */
export class TlsServerSession extends TlsSessionBase {
  readonly role = 'server' as const;

  private state: ServerState = 'wait-ch';
  private hrr: HelloRetry | undefined;
  private clientHandshakeSecret: Uint8Array = EMPTY;
  private clientApplicationSecret: Uint8Array = EMPTY;
  private resumptionMasterSecret: Uint8Array | undefined;
  private expectClientCertificate = false;
  private clientLeafSpki: Uint8Array | undefined;
  private ticketCounter = 0;

  constructor(
    config: TlsConfig,
    private readonly options: TlsServerSessionOptions,
  ) {
    super(config, options.transportParameters);
  }

  /** RFC 8446 §4.6.1: issue one more NewSessionTicket (application level) after the handshake. */
  sendSessionTicket(epochMs: number, options?: { readonly applicationData?: Uint8Array }): void {
    if (this.state !== 'connected' || this.error !== undefined)
      throw new Error('tickets can only be sent after the handshake');
    this.issueTicket(epochMs, options?.applicationData);
  }

  protected handleMessage(m: HandshakeMessage, epochMs: number): void {
    switch (this.state) {
      case 'wait-ch':
      case 'wait-ch2':
        if (m.type !== HandshakeType.client_hello) break;
        this.onClientHello(m, epochMs);
        return;
      case 'wait-eoed':
        if (m.type !== HandshakeType.end_of_early_data) break;
        this.onEndOfEarlyData(m);
        return;
      case 'wait-client-cert':
        if (m.type !== HandshakeType.certificate) break;
        this.onClientCertificate(m, epochMs);
        return;
      case 'wait-client-cv':
        if (m.type !== HandshakeType.certificate_verify) break;
        this.onClientCertificateVerify(m);
        return;
      case 'wait-client-finished':
        if (m.type !== HandshakeType.finished) break;
        this.onClientFinished(m, epochMs);
        return;
      case 'connected':
        break; // RFC 9001 §6: KeyUpdate → unexpected_message; clients send nothing else after Finished.
    }
    throw tlsAlert(AlertDescription.unexpected_message, `handshake message ${m.type} in state ${this.state}`);
  }

  private onClientHello(m: HandshakeMessage, epochMs: number): void {
    const E = ExtensionType;
    const ch = parseClientHello(m.body);
    const second = this.state === 'wait-ch2';
    checkExtensions(ch.extensions, 'CH');
    const find = (t: number) => findExtension(ch.extensions, t);

    // RFC 8446 §4.2.1 / RFC 9001 §4.2: TLS 1.3 only.
    const sv = find(E.supported_versions);
    if (sv === undefined || !parseSupportedVersionsClient(sv).includes(TLS13)) {
      throw tlsAlert(AlertDescription.protocol_version, 'client does not offer TLS 1.3');
    }
    // RFC 8446 §4.1.2: exactly one compression method, null.
    if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'legacy_compression_methods must be [0]');
    }
    // RFC 9001 §8.4: a QUIC client must not request middlebox compatibility mode.
    if (this.quic && ch.legacySessionId.length !== 0) {
      throw quicError(TransportErrorCode.PROTOCOL_VIOLATION, 'non-empty legacy_session_id in a QUIC ClientHello');
    }
    if (second && !sameBytes(ch.legacySessionId, this.hrr!.sessionId)) {
      throw tlsAlert(AlertDescription.illegal_parameter, 'legacy_session_id changed after HelloRetryRequest');
    }
    // RFC 9001 §8.2: the extension is mandatory in QUIC and forbidden elsewhere.
    const tp = find(E.quic_transport_parameters);
    if (this.quic && tp === undefined)
      throw tlsAlert(AlertDescription.missing_extension, 'no quic_transport_parameters');
    if (!this.quic && tp !== undefined)
      throw tlsAlert(AlertDescription.unsupported_extension, 'quic_transport_parameters over TCP');
    // RFC 8446 §4.2.10: no early_data in the ClientHello that answers a HelloRetryRequest.
    if (second && find(E.early_data) !== undefined)
      throw tlsAlert(AlertDescription.illegal_parameter, 'early_data after HelloRetryRequest');

    const alpn = this.selectAlpn(find(E.application_layer_protocol_negotiation));
    const sniData = find(E.server_name);
    const serverName = sniData === undefined ? undefined : parseServerName(sniData);

    // Cipher suite: the server's preference (RFC 8446 §4.1.1), kept across a HelloRetryRequest (§4.1.4).
    let suite = this.config.cipherSuites.find((s) => ch.cipherSuites.includes(s.suite));
    if (suite === undefined) throw tlsAlert(AlertDescription.handshake_failure, 'no cipher suite in common');
    if (second) {
      if (!ch.cipherSuites.includes(this.hrr!.suite.suite))
        throw tlsAlert(AlertDescription.illegal_parameter, 'cipher suite dropped after HelloRetryRequest');
      suite = this.hrr!.suite;
    }

    const { group, share } = this.selectGroup(find(E.supported_groups), find(E.key_share), second);
    if (share === undefined) {
      this.sendHelloRetryRequest(ch, m, suite, group);
      return;
    }
    if (second) {
      // RFC 8446 §4.2.2: the cookie must come back unchanged.
      const cookie = find(E.cookie);
      if (cookie === undefined || !sameBytes(parseCookie(cookie), this.hrr!.cookie)) {
        throw tlsAlert(AlertDescription.illegal_parameter, 'cookie not echoed');
      }
    }

    if (!second) this.transcript.setAlgorithm(suite.hash);
    const psk = this.acceptPsk(ch, m, suite, second, epochMs);
    let certificate: { certificate: LocalCertificate; scheme: SignatureScheme } | undefined;
    if (psk === undefined) {
      // RFC 8446 §4.2.3: certificate authentication needs the client's signature_algorithms.
      const sigalgs = find(E.signature_algorithms);
      if (sigalgs === undefined) throw tlsAlert(AlertDescription.missing_extension, 'no signature_algorithms');
      if (this.config.certificates.length === 0)
        throw tlsAlert(AlertDescription.handshake_failure, 'no server certificate configured');
      certificate = selectCertificate(this.config.certificates, parseSignatureAlgorithms(sigalgs), serverName);
      if (certificate === undefined)
        throw tlsAlert(AlertDescription.handshake_failure, 'no certificate for the offered signature schemes');
    }
    const acceptEarly =
      !second && find(E.early_data) !== undefined && this.acceptEarlyData(psk, suite, alpn, serverName, epochMs);

    // Decided: commit the negotiated values and answer.
    this.suite = suite;
    this.clientRandom = ch.random.slice();
    this.serverName = serverName;
    this.alpnProtocol = alpn;
    this.resumed = psk !== undefined;
    this.transcript.add(m.message);
    if (tp !== undefined) {
      this.peerTransportParameters = tp.slice();
      // RFC 9368 §2.3: our parameters may depend on the client's (compatible version negotiation).
      const select = this.options.selectTransportParameters;
      if (select !== undefined && this.localTransportParameters !== undefined) {
        this.localTransportParameters = select(this.peerTransportParameters, {
          earlyDataOffered: find(E.early_data) !== undefined,
        });
      }
      this.emit({ type: 'transport-parameters', data: this.peerTransportParameters });
    }
    if (alpn !== undefined) this.emit({ type: 'alpn', protocol: alpn });
    if (find(E.early_data) !== undefined) {
      this.earlyData = acceptEarly ? 'accepted' : 'rejected';
      this.emit({ type: 'early-data', accepted: acceptEarly });
    }
    const ks = psk?.schedule ?? new KeySchedule(this.provider, suite.hash);
    this.keySchedule = ks;
    const earlySecret = acceptEarly ? ks.clientEarlyTrafficSecret(this.transcript.current()) : undefined;

    const serverShare = this.provider.generateKeyShare(group as never);
    const shared = serverShare.deriveSecret(share.keyExchange);
    const shExtensions: Extension[] = [
      { type: E.supported_versions, data: encodeSupportedVersionsServer(TLS13) },
      { type: E.key_share, data: encodeKeyShareServer({ group, keyExchange: serverShare.publicKey }) },
    ];
    if (psk !== undefined) shExtensions.push({ type: E.pre_shared_key, data: encodePskServer(psk.index) });
    const sh = encodeServerHello({
      legacyVersion: TLS12,
      random: this.provider.randomBytes(32),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.suite,
      legacyCompressionMethod: 0,
      extensions: shExtensions,
    });
    this.transcript.add(sh);
    ks.deriveHandshakeSecret(shared);
    let h = this.transcript.current();
    this.clientHandshakeSecret = ks.clientHandshakeTrafficSecret(h);
    const serverHandshakeSecret = ks.serverHandshakeTrafficSecret(h);
    this.sendHandshake('initial', sh);
    // RFC 9001 §4.1.4 Figure 5: install rx 0-RTT and Handshake keys, then send the Handshake flight.
    if (earlySecret !== undefined) this.installSecret('early-data', 'read', earlySecret);
    this.installSecret('handshake', 'write', serverHandshakeSecret);
    // Over TCP with 0-RTT, records stay under the 0-RTT key until EndOfEarlyData (RFC 8446 §4.5).
    const deferHandshakeRead = !this.quic && acceptEarly;
    if (!deferHandshakeRead) this.installSecret('handshake', 'read', this.clientHandshakeSecret);

    const flight: Uint8Array[] = [];
    const ee = encodeEncryptedExtensions({
      extensions: this.encryptedExtensions(sniData !== undefined, alpn, acceptEarly),
    });
    this.transcript.add(ee);
    flight.push(ee);
    if (certificate !== undefined) {
      // RFC 8446 §4.3.2: CertificateRequest only in certificate-authenticated handshakes.
      if (this.config.clientAuth !== 'none') {
        const cr = encodeCertificateRequest({
          requestContext: EMPTY,
          extensions: [{ type: E.signature_algorithms, data: encodeSignatureAlgorithms(this.config.signatureSchemes) }],
        });
        this.transcript.add(cr);
        flight.push(cr);
        this.expectClientCertificate = true;
      }
      const cert = encodeCertificate({
        requestContext: EMPTY,
        entries: certificate.certificate.chain.map((data) => ({ data, extensions: [] })),
      });
      this.transcript.add(cert);
      flight.push(cert);
      const content = certificateVerifyContent('server', this.transcript.current());
      const cv = encodeCertificateVerify({
        scheme: certificate.scheme,
        signature: certificate.certificate.key.sign(certificate.scheme, content),
      });
      this.transcript.add(cv);
      flight.push(cv);
    }
    const fin = encodeFinished(ks.verifyData(serverHandshakeSecret, this.transcript.current()));
    this.transcript.add(fin);
    flight.push(fin);
    this.sendHandshake('handshake', ...flight);

    ks.deriveMasterSecret();
    h = this.transcript.current();
    this.clientApplicationSecret = ks.clientApplicationTrafficSecret(h);
    this.installSecret('application', 'write', ks.serverApplicationTrafficSecret(h));
    this.installExporterSecret(ks.exporterMasterSecret(h));
    if (deferHandshakeRead) {
      this.setReadLevel('early-data');
      this.state = 'wait-eoed';
    } else {
      this.setReadLevel('handshake');
      this.state = this.expectClientCertificate ? 'wait-client-cert' : 'wait-client-finished';
    }
  }

  /** RFC 7301 §3.2 / RFC 9001 §8.1: the first of the server's protocols the client offers. */
  private selectAlpn(data: Uint8Array | undefined): string | undefined {
    const mine = this.options.alpnProtocols;
    if (data === undefined) {
      if (this.quic) throw tlsAlert(AlertDescription.no_application_protocol, 'ClientHello without ALPN');
      return undefined;
    }
    const offered = parseAlpn(data);
    if (mine.length === 0 && !this.quic) return undefined;
    const chosen = mine.find((p) => offered.includes(p));
    if (chosen === undefined) {
      throw tlsAlert(
        AlertDescription.no_application_protocol,
        `no common ALPN protocol (client offered ${offered.join(', ')})`,
      );
    }
    return chosen;
  }

  /**
   * RFC 8446 §4.2.7 / §4.2.8 / §9.2: picks the (EC)DHE group; `share` is undefined when a HelloRetryRequest must ask
   * for `group`.
   */
  private selectGroup(
    groupsData: Uint8Array | undefined,
    sharesData: Uint8Array | undefined,
    second: boolean,
  ): { group: number; share: KeyShareEntry | undefined } {
    // RFC 8446 §9.2: supported_groups and key_share come together (and this server always uses (EC)DHE).
    if (groupsData === undefined || sharesData === undefined) {
      throw tlsAlert(AlertDescription.missing_extension, 'ClientHello needs supported_groups and key_share');
    }
    const clientGroups = parseSupportedGroups(groupsData);
    const shares = parseKeyShareClient(sharesData);
    const seen = new Set<number>();
    for (const s of shares) {
      // RFC 8446 §4.2.8: shares only for offered groups, at most one per group.
      if (!clientGroups.includes(s.group) || seen.has(s.group)) {
        throw tlsAlert(AlertDescription.illegal_parameter, `key share for group 0x${s.group.toString(16)}`);
      }
      seen.add(s.group);
    }
    if (second) {
      // RFC 8446 §4.2.8: ClientHello2 carries exactly the share the HelloRetryRequest asked for.
      const g = this.hrr!.group;
      if (shares.length !== 1 || shares[0].group !== g)
        throw tlsAlert(AlertDescription.illegal_parameter, 'ClientHello2 key_share');
      return { group: g, share: shares[0] };
    }
    const mutual = this.config.groups.filter((g) => clientGroups.includes(g));
    if (mutual.length === 0) throw tlsAlert(AlertDescription.handshake_failure, 'no (EC)DHE group in common');
    const candidates = this.config.preferGroupOverRoundTrip ? [mutual[0]] : mutual;
    for (const g of candidates) {
      const share = shares.find((s) => s.group === g);
      if (share !== undefined) return { group: g, share };
    }
    return { group: mutual[0], share: undefined };
  }

  /** RFC 8446 §4.1.4: asks for a key share in `group`, with a cookie (§4.2.2). */
  private sendHelloRetryRequest(
    ch: ParsedClientHello,
    m: HandshakeMessage,
    suite: CipherSuiteInfo,
    group: number,
  ): void {
    if (this.state === 'wait-ch2')
      throw tlsAlert(AlertDescription.illegal_parameter, 'ClientHello2 still lacks a usable key share');
    const cookie = this.provider.randomBytes(32);
    const hrr = encodeServerHello({
      legacyVersion: TLS12,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.suite,
      legacyCompressionMethod: 0,
      extensions: [
        { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(TLS13) },
        { type: ExtensionType.key_share, data: encodeKeyShareHrr(group) },
        { type: ExtensionType.cookie, data: encodeCookie(cookie) },
      ],
    });
    this.suite = suite;
    this.clientRandom = ch.random.slice();
    // RFC 8446 §4.4.1: Transcript = message_hash(ClientHello1) ‖ HelloRetryRequest ‖ ...
    this.transcript.setAlgorithm(suite.hash);
    this.transcript.add(m.message);
    this.transcript.replaceWithMessageHash();
    this.transcript.add(hrr);
    this.hrr = { suite, group, cookie, sessionId: ch.legacySessionId.slice() };
    // RFC 9001 §4.6.2: "A server will always reject 0-RTT if it sends a TLS HelloRetryRequest."
    if (findExtension(ch.extensions, ExtensionType.early_data) !== undefined) {
      this.earlyData = 'rejected';
      this.emit({ type: 'early-data', accepted: false });
    }
    this.sendHandshake('initial', hrr);
    this.state = 'wait-ch2';
  }

  /**
   * RFC 8446 §4.2.11: picks the first offered ticket this server can use and validates that one binder (a bad binder
   * aborts with decrypt_error). Unknown, expired or incompatible tickets are skipped (full handshake).
   */
  private acceptPsk(
    ch: ParsedClientHello,
    m: HandshakeMessage,
    suite: CipherSuiteInfo,
    second: boolean,
    epochMs: number,
  ): AcceptedPsk | undefined {
    const data = findExtension(ch.extensions, ExtensionType.pre_shared_key);
    if (data === undefined) return undefined;
    const modes = findExtension(ch.extensions, ExtensionType.psk_key_exchange_modes);
    // RFC 8446 §4.2.9: pre_shared_key without psk_key_exchange_modes → abort.
    if (modes === undefined)
      throw tlsAlert(AlertDescription.missing_extension, 'pre_shared_key without psk_key_exchange_modes');
    const offered = parseOfferedPsks(data);
    if (!parsePskModes(modes).includes(PskKeyExchangeMode.psk_dhe_ke)) return undefined;
    for (let i = 0; i < offered.identities.length; i++) {
      const ticket = this.config.tickets.open(offered.identities[i].identity);
      if (ticket === undefined) continue;
      if (epochMs >= ticket.issuedAtEpochMs + ticket.lifetimeSeconds * 1000) continue;
      // RFC 8446 §4.6.1: resume only with a suite of the same hash.
      if (cipherSuiteInfo(ticket.cipherSuite)?.hash !== suite.hash || ticket.psk.length !== suite.hashLength) continue;
      const schedule = new KeySchedule(this.provider, suite.hash, ticket.psk);
      const truncated = m.message.subarray(0, m.message.length - ch.bindersLength);
      const binderHash = second ? this.transcript.currentWith(truncated) : this.provider.digest(suite.hash, truncated);
      if (!timingSafeEqual(schedule.verifyData(schedule.binderKey(), binderHash), offered.binders[i])) {
        throw tlsAlert(AlertDescription.decrypt_error, 'PSK binder does not verify');
      }
      return { index: i, ticket, schedule, obfuscatedAge: offered.identities[i].obfuscatedTicketAge };
    }
    return undefined;
  }

  /** RFC 8446 §4.2.10 / §8 and RFC 9001 §4.6: whether to accept the 0-RTT the client asked for. */
  private acceptEarlyData(
    psk: AcceptedPsk | undefined,
    suite: CipherSuiteInfo,
    alpn: string | undefined,
    serverName: string | undefined,
    epochMs: number,
  ): boolean {
    if (!this.options.enableEarlyData || psk === undefined || psk.index !== 0) return false;
    const t = psk.ticket;
    if (
      t.maxEarlyDataSize === 0 ||
      t.cipherSuite !== suite.suite ||
      t.alpnProtocol !== alpn ||
      t.serverName !== serverName
    ) {
      return false;
    }
    // RFC 8446 §8.3: the client's view of the ticket age must match the server's within a window.
    const clientAge = (psk.obfuscatedAge - t.ageAdd) >>> 0;
    const serverAge = epochMs - t.issuedAtEpochMs;
    if (Math.abs(serverAge - clientAge) > this.config.freshnessWindowMs) return false;
    // RFC 8446 §8.1: single-use tickets.
    if (!this.config.antiReplay.consume(t.id, t.issuedAtEpochMs + t.lifetimeSeconds * 1000, epochMs)) return false;
    return (
      this.options.acceptEarlyData?.({ serverName, alpnProtocol: alpn, applicationData: t.applicationData }) ?? true
    );
  }

  private encryptedExtensions(sniUsed: boolean, alpn: string | undefined, acceptEarly: boolean): Extension[] {
    const E = ExtensionType;
    const exts: Extension[] = [];
    // RFC 6066 §3: an empty server_name acknowledges the SNI.
    if (sniUsed) exts.push({ type: E.server_name, data: EMPTY });
    if (alpn !== undefined) exts.push({ type: E.application_layer_protocol_negotiation, data: encodeAlpn([alpn]) });
    if (this.localTransportParameters !== undefined)
      exts.push({ type: E.quic_transport_parameters, data: this.localTransportParameters });
    if (acceptEarly) exts.push({ type: E.early_data, data: encodeEarlyDataEmpty() });
    return exts;
  }

  private onEndOfEarlyData(m: HandshakeMessage): void {
    if (m.body.length !== 0) throw tlsAlert(AlertDescription.decode_error, 'EndOfEarlyData with a body');
    this.transcript.add(m.message);
    this.installSecret('handshake', 'read', this.clientHandshakeSecret);
    this.setReadLevel('handshake');
    this.state = this.expectClientCertificate ? 'wait-client-cert' : 'wait-client-finished';
  }

  private onClientCertificate(m: HandshakeMessage, epochMs: number): void {
    const cert = parseCertificate(m.body);
    if (cert.requestContext.length !== 0)
      throw tlsAlert(AlertDescription.illegal_parameter, 'certificate_request_context');
    for (const e of cert.entries) checkExtensions(e.extensions, 'CT', () => false);
    this.transcript.add(m.message);
    if (cert.entries.length === 0) {
      // RFC 8446 §4.4.2.4: the server may continue without client authentication or abort.
      if (this.config.clientAuth === 'require')
        throw tlsAlert(AlertDescription.certificate_required, 'client sent no certificate');
      this.state = 'wait-client-finished';
      return;
    }
    const chain = cert.entries.map((e) => e.data.slice());
    try {
      this.config.verifier.verify(chain, { epochMs, purpose: 'client' });
      this.clientLeafSpki = parseX509(chain[0]).spki;
    } catch (e) {
      if (e instanceof CertificateError) throw tlsAlert(e.alert, e.message, e);
      throw tlsAlert(AlertDescription.bad_certificate, e instanceof Error ? e.message : String(e), e);
    }
    this.peerCertificates = chain;
    this.state = 'wait-client-cv';
  }

  private onClientCertificateVerify(m: HandshakeMessage): void {
    const cv = parseCertificateVerify(m.body);
    if (!this.config.signatureSchemes.includes(cv.scheme as SignatureScheme)) {
      throw tlsAlert(
        AlertDescription.illegal_parameter,
        `CertificateVerify scheme 0x${cv.scheme.toString(16)} not requested`,
      );
    }
    const content = certificateVerifyContent('client', this.transcript.current());
    if (!this.provider.verify(cv.scheme as SignatureScheme, this.clientLeafSpki!, content, cv.signature)) {
      throw tlsAlert(AlertDescription.decrypt_error, 'client CertificateVerify does not verify');
    }
    this.transcript.add(m.message);
    this.state = 'wait-client-finished';
  }

  private onClientFinished(m: HandshakeMessage, epochMs: number): void {
    const ks = this.keySchedule!;
    const verifyData = parseFinished(m.body, this.suite!.hashLength);
    if (!timingSafeEqual(verifyData, ks.verifyData(this.clientHandshakeSecret, this.transcript.current()))) {
      throw tlsAlert(AlertDescription.decrypt_error, 'client Finished does not verify');
    }
    this.transcript.add(m.message);
    this.resumptionMasterSecret = ks.resumptionMasterSecret(this.transcript.current());
    // RFC 9001 §5.7: 1-RTT packets are processed only once the handshake is complete.
    this.installSecret('application', 'read', this.clientApplicationSecret);
    this.handshakeComplete = true;
    this.emit({ type: 'handshake-complete' });
    this.setReadLevel('application');
    this.state = 'connected';
    for (let i = 0; i < this.config.ticketsPerConnection; i++)
      this.issueTicket(epochMs, this.options.ticketApplicationData);
  }

  /** RFC 8446 §4.6.1 NewSessionTicket with a ticket sealed by the context's rotating key. */
  private issueTicket(epochMs: number, applicationData: Uint8Array | undefined): void {
    const suite = this.suite!;
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setUint32(4, ++this.ticketCounter);
    const psk = resumptionPsk(this.provider, suite.hash, this.resumptionMasterSecret!, nonce);
    const r = this.provider.randomBytes(4);
    const ageAdd = ((r[0] << 24) | (r[1] << 16) | (r[2] << 8) | r[3]) >>> 0;
    // RFC 9001 §4.6.1: QUIC tickets allowing 0-RTT carry the sentinel 0xffffffff.
    const maxEarlyDataSize = this.options.enableEarlyData
      ? this.quic
        ? QUIC_EARLY_DATA_SENTINEL
        : this.config.tcpMaxEarlyDataSize
      : 0;
    const lifetimeSeconds = this.config.ticketLifetimeSeconds;
    const ticket = this.config.tickets.seal(
      {
        cipherSuite: suite.suite,
        psk,
        issuedAtEpochMs: epochMs,
        lifetimeSeconds,
        ageAdd,
        maxEarlyDataSize,
        alpnProtocol: this.alpnProtocol,
        serverName: this.serverName,
        applicationData,
      },
      epochMs,
    );
    const extensions: Extension[] =
      maxEarlyDataSize > 0 ? [{ type: ExtensionType.early_data, data: encodeEarlyDataTicket(maxEarlyDataSize) }] : [];
    this.sendHandshake('application', encodeNewSessionTicket({ lifetimeSeconds, ageAdd, nonce, ticket, extensions }));
  }
}
