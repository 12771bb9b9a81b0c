// RFC 8448 §3 and §4 reproduced from the trace's inputs: the codecs parse and re-encode every handshake message
// bit-exactly, and the key schedule, transcript hashes, Finished values and the PSK binder computed from the
// messages and private keys equal the trace's values.
import { X509Certificate } from 'node:crypto';
import { NamedGroup, SignatureScheme } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel } from '../src/hkdf-label.js';
import { NodeCryptoProvider } from '../src/provider/node-crypto-provider.js';
import { ExtensionType, HandshakeType, TLS13 } from '../src/tls/constants.js';
import { exportKeyingMaterial, KeySchedule, resumptionPsk } from '../src/tls/key-schedule.js';
import { certificateVerifyContent } from '../src/tls/signature-content.js';
import { Transcript } from '../src/tls/transcript.js';
import {
  encodeCertificate,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeNewSessionTicket,
  encodeServerHello,
  findExtension,
  parseCertificate,
  parseCertificateVerify,
  parseClientHello,
  parseEarlyDataTicket,
  parseEncryptedExtensions,
  parseFinished,
  parseKeyShareClient,
  parseKeyShareServer,
  parseNewSessionTicket,
  parseOfferedPsks,
  parsePskServer,
  parseServerHello,
  parseServerName,
  parseSupportedVersionsClient,
  parseSupportedVersionsServer,
  splitHandshake,
} from '../src/tls/wire/index.js';
import vectors from './fixtures/rfc8448.json' with { type: 'json' };
import { hex, unhex } from './support/hex.js';

const provider = new NodeCryptoProvider();
const s3 = vectors.simple_1rtt_handshake.summary;
const h3 = vectors.simple_1rtt_handshake.transcript_hashes;
const s4 = vectors.resumed_0rtt_handshake.summary;
const h4 = vectors.resumed_0rtt_handshake.transcript_hashes;

function message(hexMessage: string, type: number) {
  const m = splitHandshake(unhex(hexMessage));
  expect(m.type).toBe(type);
  return m;
}

function trafficKey(secret: Uint8Array, length: number) {
  return {
    key: hex(hkdfExpandLabel(provider, 'sha256', secret, 'key', new Uint8Array(0), length)),
    iv: hex(hkdfExpandLabel(provider, 'sha256', secret, 'iv', new Uint8Array(0), 12)),
  };
}

describe('RFC 8448 §3 simple 1-RTT handshake', () => {
  const ch = message(s3.client_hello, HandshakeType.client_hello);
  const sh = message(s3.server_hello, HandshakeType.server_hello);
  const ee = message(s3.encrypted_extensions, HandshakeType.encrypted_extensions);
  const cert = message(s3.certificate, HandshakeType.certificate);
  const cv = message(s3.certificate_verify, HandshakeType.certificate_verify);
  const sfin = message(s3.server_finished, HandshakeType.finished);
  const cfin = message(s3.client_finished, HandshakeType.finished);
  const nst = message(s3.new_session_ticket, HandshakeType.new_session_ticket);

  it('parses and re-encodes every handshake message bit-exactly', () => {
    expect(hex(encodeClientHello(parseClientHello(ch.body)))).toBe(s3.client_hello);
    expect(hex(encodeServerHello(parseServerHello(sh.body)))).toBe(s3.server_hello);
    expect(hex(encodeEncryptedExtensions(parseEncryptedExtensions(ee.body)))).toBe(s3.encrypted_extensions);
    expect(hex(encodeCertificate(parseCertificate(cert.body)))).toBe(s3.certificate);
    expect(hex(encodeCertificateVerify(parseCertificateVerify(cv.body)))).toBe(s3.certificate_verify);
    expect(hex(encodeFinished(parseFinished(sfin.body, 32)))).toBe(s3.server_finished);
    expect(hex(encodeNewSessionTicket(parseNewSessionTicket(nst.body)))).toBe(s3.new_session_ticket);
  });

  it('reads the hello extensions', () => {
    const hello = parseClientHello(ch.body);
    expect(hello.legacySessionId.length).toBe(0);
    expect(parseServerName(findExtension(hello.extensions, ExtensionType.server_name)!)).toBe('server');
    expect(parseSupportedVersionsClient(findExtension(hello.extensions, ExtensionType.supported_versions)!)).toEqual([
      TLS13,
    ]);
    const shares = parseKeyShareClient(findExtension(hello.extensions, ExtensionType.key_share)!);
    expect(shares.map((s) => s.group)).toEqual([NamedGroup.x25519]);
    expect(hex(shares[0].keyExchange)).toBe(s3.client_x25519_public_key);
    const server = parseServerHello(sh.body);
    expect(server.cipherSuite).toBe(0x1301);
    expect(parseSupportedVersionsServer(findExtension(server.extensions, ExtensionType.supported_versions)!)).toBe(
      TLS13,
    );
    expect(hex(parseKeyShareServer(findExtension(server.extensions, ExtensionType.key_share)!).keyExchange)).toBe(
      s3.server_x25519_public_key,
    );
  });

  it('reproduces the key schedule, transcript hashes and Finished values', () => {
    // (EC)DHE from the trace's private keys, both ways.
    const clientShare = provider.importKeyShare(NamedGroup.x25519, unhex(s3.client_x25519_private_key));
    const serverShare = provider.importKeyShare(NamedGroup.x25519, unhex(s3.server_x25519_private_key));
    expect(hex(clientShare.publicKey)).toBe(s3.client_x25519_public_key);
    const shared = clientShare.deriveSecret(unhex(s3.server_x25519_public_key));
    expect(hex(shared)).toBe(s3.ecdhe_shared_secret);
    expect(hex(serverShare.deriveSecret(unhex(s3.client_x25519_public_key)))).toBe(s3.ecdhe_shared_secret);

    const ks = new KeySchedule(provider, 'sha256');
    const t = new Transcript(provider);
    t.add(ch.message);
    t.setAlgorithm('sha256');
    t.add(sh.message);
    expect(hex(ks.earlySecret)).toBe(s3.early_secret);
    expect(hex(t.current())).toBe(h3.ch_sh);
    expect(hex(ks.deriveHandshakeSecret(shared))).toBe(s3.handshake_secret);
    const chts = ks.clientHandshakeTrafficSecret(t.current());
    const shts = ks.serverHandshakeTrafficSecret(t.current());
    expect(hex(chts)).toBe(s3.client_handshake_traffic_secret);
    expect(hex(shts)).toBe(s3.server_handshake_traffic_secret);
    expect(trafficKey(shts, 16)).toEqual({ key: s3.server_handshake_write_key, iv: s3.server_handshake_write_iv });
    expect(trafficKey(chts, 16)).toEqual({ key: s3.client_handshake_write_key, iv: s3.client_handshake_write_iv });
    expect(hex(ks.deriveMasterSecret())).toBe(s3.master_secret);

    t.add(ee.message);
    t.add(cert.message);
    // The trace's CertificateVerify (RSA-PSS, randomised) verifies over our transcript hash with the certificate key.
    const verify = parseCertificateVerify(cv.body);
    expect(verify.scheme).toBe(SignatureScheme.rsa_pss_rsae_sha256);
    const leaf = new X509Certificate(parseCertificate(cert.body).entries[0].data);
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    const content = certificateVerifyContent('server', t.current());
    expect(provider.verify(verify.scheme as SignatureScheme, spki, content, verify.signature)).toBe(true);
    const tampered = content.slice();
    tampered[tampered.length - 1] ^= 1;
    expect(provider.verify(verify.scheme as SignatureScheme, spki, tampered, verify.signature)).toBe(false);
    t.add(cv.message);

    expect(hex(ks.finishedKey(shts))).toBe(s3.server_finished_key);
    expect(hex(ks.verifyData(shts, t.current()))).toBe(s3.server_finished_verify_data);
    expect(hex(encodeFinished(ks.verifyData(shts, t.current())))).toBe(s3.server_finished);
    t.add(sfin.message);
    expect(hex(t.current())).toBe(h3.ch_server_finished);
    const cats = ks.clientApplicationTrafficSecret(t.current());
    const sats = ks.serverApplicationTrafficSecret(t.current());
    expect(hex(cats)).toBe(s3.client_application_traffic_secret_0);
    expect(hex(sats)).toBe(s3.server_application_traffic_secret_0);
    expect(hex(ks.exporterMasterSecret(t.current()))).toBe(s3.exporter_master_secret);
    expect(trafficKey(sats, 16)).toEqual({ key: s3.server_application_write_key, iv: s3.server_application_write_iv });
    expect(trafficKey(cats, 16)).toEqual({ key: s3.client_application_write_key, iv: s3.client_application_write_iv });

    expect(hex(ks.finishedKey(chts))).toBe(s3.client_finished_key);
    expect(hex(ks.verifyData(chts, t.current()))).toBe(s3.client_finished_verify_data);
    t.add(cfin.message);
    expect(hex(t.current())).toBe(h3.ch_client_finished);
    const rms = ks.resumptionMasterSecret(t.current());
    expect(hex(rms)).toBe(s3.resumption_master_secret);

    const ticket = parseNewSessionTicket(nst.body);
    expect(hex(ticket.nonce)).toBe(s3.ticket_nonce);
    expect(parseEarlyDataTicket(findExtension(ticket.extensions, ExtensionType.early_data)!)).toBe(0x400);
    expect(hex(resumptionPsk(provider, 'sha256', rms, ticket.nonce))).toBe(s3.resumption_psk);
  });

  it('an exporter over the trace secret is deterministic and label-separated', () => {
    const secret = unhex(s3.exporter_master_secret);
    const a = exportKeyingMaterial(provider, 'sha256', secret, 'EXPERIMENTAL a', new Uint8Array(0), 32);
    const b = exportKeyingMaterial(provider, 'sha256', secret, 'EXPERIMENTAL b', new Uint8Array(0), 32);
    expect(hex(a)).toBe(hex(exportKeyingMaterial(provider, 'sha256', secret, 'EXPERIMENTAL a', new Uint8Array(0), 32)));
    expect(hex(a)).not.toBe(hex(b));
  });
});

describe('RFC 8448 §4 resumed 0-RTT handshake', () => {
  const ch = message(s4.client_hello, HandshakeType.client_hello);
  const sh = message(s4.server_hello, HandshakeType.server_hello);
  const ee = message(s4.encrypted_extensions, HandshakeType.encrypted_extensions);
  const sfin = message(s4.server_finished, HandshakeType.finished);
  const eoed = message(s4.end_of_early_data, HandshakeType.end_of_early_data);
  const cfin = message(s4.client_finished, HandshakeType.finished);

  it('parses and re-encodes the messages bit-exactly', () => {
    expect(hex(encodeClientHello(parseClientHello(ch.body)))).toBe(s4.client_hello);
    expect(hex(encodeServerHello(parseServerHello(sh.body)))).toBe(s4.server_hello);
    expect(hex(encodeEncryptedExtensions(parseEncryptedExtensions(ee.body)))).toBe(s4.encrypted_extensions);
    expect(eoed.body.length).toBe(0);
  });

  it('the PSK is the §3 resumption PSK and the identity is the §3 ticket', () => {
    expect(s4.psk).toBe(s3.resumption_psk);
    const hello = parseClientHello(ch.body);
    const psks = parseOfferedPsks(findExtension(hello.extensions, ExtensionType.pre_shared_key)!);
    const ticket = parseNewSessionTicket(splitHandshake(unhex(s3.new_session_ticket)).body);
    expect(psks.identities).toHaveLength(1);
    expect(hex(psks.identities[0].identity)).toBe(hex(ticket.ticket));
    expect(hex(findExtension(hello.extensions, ExtensionType.early_data)!)).toBe('');
  });

  it('reproduces the PSK binder from the truncated ClientHello', () => {
    const hello = parseClientHello(ch.body);
    // RFC 8446 §4.2.11.2 Truncate(): everything up to and including the identities, without the binders list.
    const truncated = ch.message.subarray(0, ch.message.length - hello.bindersLength);
    expect(hex(truncated)).toBe(s4.client_hello_truncated);
    const ks = new KeySchedule(provider, 'sha256', unhex(s4.psk));
    expect(hex(ks.earlySecret)).toBe(s4.early_secret);
    const binderHash = provider.digest('sha256', truncated);
    expect(hex(binderHash)).toBe(h4.truncated_ch);
    expect(hex(binderHash)).toBe(s4.binder_hash);
    const binderKey = ks.binderKey();
    expect(hex(binderKey)).toBe(s4.binder_key);
    expect(hex(ks.finishedKey(binderKey))).toBe(s4.binder_finished_key);
    const binder = ks.verifyData(binderKey, binderHash);
    expect(hex(binder)).toBe(s4.psk_binder);
    const psks = parseOfferedPsks(findExtension(hello.extensions, ExtensionType.pre_shared_key)!);
    expect(hex(psks.binders[0])).toBe(s4.psk_binder);
  });

  it('reproduces the early, handshake and application secrets and both Finished values', () => {
    const ks = new KeySchedule(provider, 'sha256', unhex(s4.psk));
    const t = new Transcript(provider);
    t.setAlgorithm('sha256');
    t.add(ch.message);
    expect(hex(t.current())).toBe(h4.ch);
    const cets = ks.clientEarlyTrafficSecret(t.current());
    expect(hex(cets)).toBe(s4.client_early_traffic_secret);
    expect(hex(ks.earlyExporterMasterSecret(t.current()))).toBe(s4.early_exporter_master_secret);
    expect(trafficKey(cets, 16)).toEqual({ key: s4.client_early_write_key, iv: s4.client_early_write_iv });

    const server = parseServerHello(sh.body);
    expect(parsePskServer(findExtension(server.extensions, ExtensionType.pre_shared_key)!)).toBe(0);
    const clientShare = provider.importKeyShare(NamedGroup.x25519, unhex(s4.client_x25519_private_key));
    const shared = clientShare.deriveSecret(
      parseKeyShareServer(findExtension(server.extensions, ExtensionType.key_share)!).keyExchange,
    );
    expect(hex(shared)).toBe(s4.ecdhe_shared_secret);
    t.add(sh.message);
    expect(hex(t.current())).toBe(h4.ch_sh);
    expect(hex(ks.deriveHandshakeSecret(shared))).toBe(s4.handshake_secret);
    const chts = ks.clientHandshakeTrafficSecret(t.current());
    const shts = ks.serverHandshakeTrafficSecret(t.current());
    expect(hex(chts)).toBe(s4.client_handshake_traffic_secret);
    expect(hex(shts)).toBe(s4.server_handshake_traffic_secret);
    expect(hex(ks.deriveMasterSecret())).toBe(s4.master_secret);

    t.add(ee.message);
    expect(hex(ks.verifyData(shts, t.current()))).toBe(s4.server_finished_verify_data);
    t.add(sfin.message);
    expect(hex(t.current())).toBe(h4.ch_server_finished);
    expect(hex(ks.clientApplicationTrafficSecret(t.current()))).toBe(s4.client_application_traffic_secret_0);
    expect(hex(ks.serverApplicationTrafficSecret(t.current()))).toBe(s4.server_application_traffic_secret_0);
    expect(hex(ks.exporterMasterSecret(t.current()))).toBe(s4.exporter_master_secret);

    // TLS over TCP: EndOfEarlyData is in the transcript (RFC 8446 §4.4.1); QUIC omits it (RFC 9001 §8.3).
    t.add(eoed.message);
    expect(hex(ks.verifyData(chts, t.current()))).toBe(s4.client_finished_verify_data);
    t.add(cfin.message);
    expect(hex(t.current())).toBe(h4.ch_client_finished);
    expect(hex(ks.resumptionMasterSecret(t.current()))).toBe(s4.resumption_master_secret);
  });
});
