// Handshakes that must fail, each with the RFC's error: TLS alerts as CRYPTO_ERROR 0x100 + alert (RFC 9001 §4.8), or
// the QUIC transport errors RFC 9001 names (PROTOCOL_VIOLATION).
import { TransportErrorCode } from '@fos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, ExtensionType, HandshakeType } from '../src/tls/constants.js';
import { encodeClientHello, parseClientHello } from '../src/tls/wire/client-hello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from '../src/tls/wire/encrypted-extensions.js';
import { encodeEarlyDataTicket } from '../src/tls/wire/extension-codecs.js';
import { frameHandshake } from '../src/tls/wire/handshake-framing.js';
import { encodeNewSessionTicket } from '../src/tls/wire/new-session-ticket.js';
import { encodeServerHello, parseServerHello } from '../src/tls/wire/server-hello.js';
import { CertificateError } from '../src/x509/certificate-error.js';
import { spkiPin } from '../src/x509/spki-pin.js';
import { parseX509 } from '../src/x509/x509-certificate.js';
import {
  clientContext,
  clientOptions,
  connect,
  createPki,
  type Pki,
  serverContext,
  serverOptions,
} from './support/fixture.js';
import { createCa, createLeaf, createSelfSignedLeaf } from './support/pki.js';
import { errorOf, type Interceptor, pump } from './support/pump.js';
import { rewrite } from './support/rewrite.js';

const NOW = Date.now();
const alert = (a: number) => TransportErrorCode.CRYPTO_ERROR + a;
let pki: Pki;

beforeAll(async () => {
  pki = await createPki();
});

/** Runs a handshake with an interceptor; returns both sessions' first errors. */
function tampered(intercept: Interceptor, c = {}, s = {}) {
  const client = clientContext(pki).createClient(clientOptions(NOW, c));
  const server = serverContext(pki).createServer(serverOptions(NOW, s));
  const rec = pump(client, server, NOW, { intercept });
  return { client, server, clientError: errorOf(rec.client), serverError: errorOf(rec.server) };
}

function certCause(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof CertificateError ? cause.code : undefined;
}

describe('certificate failures (client side)', () => {
  it('unknown CA → unknown_ca', async () => {
    const other = await createCa('Someone Else');
    const { rec, client } = connect(clientContext(pki, { verify: { ca: other.pem } }), serverContext(pki), NOW);
    expect(errorOf(rec.client)?.code).toBe(alert(AlertDescription.unknown_ca));
    expect(certCause(errorOf(rec.client))).toBe('unknown-ca');
    expect(client.handshakeComplete).toBe(false);
  });

  it('hostname mismatch → bad_certificate', () => {
    const { rec } = connect(clientContext(pki), serverContext(pki), NOW, { serverName: 'example.org' });
    const err = errorOf(rec.client);
    expect(err?.code).toBe(alert(AlertDescription.bad_certificate));
    expect(certCause(err)).toBe('hostname-mismatch');
  });

  it('a wildcard SAN covers one label only', () => {
    const ok = connect(clientContext(pki), serverContext(pki), NOW, { serverName: 'a.example.test' });
    expect(ok.client.handshakeComplete).toBe(true);
    const deep = connect(clientContext(pki), serverContext(pki), NOW, { serverName: 'a.b.example.test' });
    expect(certCause(errorOf(deep.rec.client))).toBe('hostname-mismatch');
  });

  it('expired certificate → certificate_expired', async () => {
    const old = await createLeaf(pki.ca, 'p256', {
      names: ['localhost'],
      notBefore: new Date(NOW - 10 * 86_400_000),
      notAfter: new Date(NOW - 86_400_000),
    });
    const sctx = serverContext(pki, { certificates: [{ chain: old.der, key: old.key }] });
    const { rec } = connect(clientContext(pki), sctx, NOW);
    expect(errorOf(rec.client)?.code).toBe(alert(AlertDescription.certificate_expired));
    expect(certCause(errorOf(rec.client))).toBe('expired');
  });

  it('bad certificate (signature by an impostor CA of the same name) → bad_certificate', async () => {
    const impostor = await createCa('Fixture CA');
    const forged = await createLeaf(impostor, 'p256', { names: ['localhost'] });
    const sctx = serverContext(pki, { certificates: [{ chain: forged.der, key: forged.key }] });
    const { rec } = connect(clientContext(pki), sctx, NOW);
    expect(errorOf(rec.client)?.code).toBe(alert(AlertDescription.bad_certificate));
    expect(certCause(errorOf(rec.client))).toBe('bad-signature');
  });

  it('garbage in the Certificate message → bad_certificate', () => {
    const { clientError } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      return rewrite(data, HandshakeType.certificate, (m) => {
        const copy = m.message.slice();
        copy[12] ^= 0xff; // inside the DER header of the first certificate
        return copy;
      });
    });
    expect(clientError?.code).toBe(alert(AlertDescription.bad_certificate));
  });

  it('rejectUnauthorized: false accepts an untrusted certificate; SPKI pins are still enforced', async () => {
    const self = await createSelfSignedLeaf('p256', { names: ['localhost'] });
    const sctx = serverContext(pki, { certificates: [{ chain: self.der, key: self.key }] });
    const strict = connect(clientContext(pki), sctx, NOW);
    expect(errorOf(strict.rec.client)?.code).toBe(alert(AlertDescription.unknown_ca));
    const lax = connect(clientContext(pki, { verify: { rejectUnauthorized: false } }), sctx, NOW);
    expect(lax.client.handshakeComplete).toBe(true);
    const pin = spkiPin(parseX509(self.der).spki);
    const pinned = connect(
      clientContext(pki, { verify: { rejectUnauthorized: false, pinnedPublicKeys: [pin] } }),
      sctx,
      NOW,
    );
    expect(pinned.client.handshakeComplete).toBe(true);
    const wrongPin = spkiPin(parseX509(pki.leaf.der).spki);
    const mismatch = connect(
      clientContext(pki, { verify: { rejectUnauthorized: false, pinnedPublicKeys: [wrongPin] } }),
      sctx,
      NOW,
    );
    expect(errorOf(mismatch.rec.client)?.code).toBe(alert(AlertDescription.bad_certificate));
    expect(certCause(errorOf(mismatch.rec.client))).toBe('pin-mismatch');
  });
});

describe('tampering', () => {
  it('tampered server Finished → decrypt_error', () => {
    const { clientError, client } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      const copy = data.slice();
      copy[copy.length - 1] ^= 0x80;
      return copy;
    });
    expect(clientError?.code).toBe(alert(AlertDescription.decrypt_error));
    expect(client.handshakeComplete).toBe(false);
  });

  it('tampered client Finished → decrypt_error at the server', () => {
    const { serverError, server } = tampered((from, level, data) => {
      if (from !== 'client' || level !== 'handshake') return data;
      const copy = data.slice();
      copy[copy.length - 1] ^= 0x01;
      return copy;
    });
    expect(serverError?.code).toBe(alert(AlertDescription.decrypt_error));
    expect(server.handshakeComplete).toBe(false);
  });

  it('tampered CertificateVerify signature → decrypt_error', () => {
    const { clientError } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      return rewrite(data, HandshakeType.certificate_verify, (m) => {
        const copy = m.message.slice();
        copy[copy.length - 2] ^= 0x01;
        return copy;
      });
    });
    expect(clientError?.code).toBe(alert(AlertDescription.decrypt_error));
  });

  it('a changed ServerHello fails the handshake (transcripts differ → decrypt_error)', () => {
    const { clientError } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'initial') return data;
      const copy = data.slice();
      copy[10] ^= 0x01; // inside ServerHello.random
      return copy;
    });
    expect(clientError?.code).toBe(alert(AlertDescription.decrypt_error));
  });
});

describe('ALPN (RFC 9001 §8.1)', () => {
  it('no common protocol → no_application_protocol (0x178) at the server', () => {
    const { rec, client } = connect(
      clientContext(pki),
      serverContext(pki),
      NOW,
      { alpnProtocols: ['h3'] },
      { alpnProtocols: ['hq-interop'] },
    );
    expect(errorOf(rec.server)?.code).toBe(0x178);
    expect(client.handshakeComplete).toBe(false);
  });

  it('a server selecting a protocol the client did not offer → 0x178 at the client', () => {
    const { clientError } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      return rewrite(data, HandshakeType.encrypted_extensions, (m) => {
        const copy = m.message.slice();
        const at = Buffer.from(copy).indexOf(Buffer.from([0x02, 0x68, 0x33])); // ProtocolName "h3"
        copy[at + 2] = 0x34; // "h4"
        return copy;
      });
    });
    expect(clientError?.code).toBe(0x178);
  });

  it('EncryptedExtensions without ALPN → 0x178; without transport parameters → 0x16d', () => {
    const strip = (type: number) =>
      tampered((from, level, data) => {
        if (from !== 'server' || level !== 'handshake') return data;
        return rewrite(data, HandshakeType.encrypted_extensions, (m) => {
          const ee = parseEncryptedExtensions(m.body);
          return encodeEncryptedExtensions({ extensions: ee.extensions.filter((e) => e.type !== type) });
        });
      }).clientError?.code;
    expect(strip(ExtensionType.application_layer_protocol_negotiation)).toBe(0x178);
    expect(strip(ExtensionType.quic_transport_parameters)).toBe(alert(AlertDescription.missing_extension));
  });

  it('an unsolicited extension in EncryptedExtensions → unsupported_extension', () => {
    const { clientError } = tampered((from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      return rewrite(data, HandshakeType.encrypted_extensions, (m) => {
        const ee = parseEncryptedExtensions(m.body);
        return encodeEncryptedExtensions({ extensions: [...ee.extensions, { type: 0x1234, data: new Uint8Array(0) }] });
      });
    });
    expect(clientError?.code).toBe(alert(AlertDescription.unsupported_extension));
  });
});

describe('ClientHello checks at the server', () => {
  const chRewrite = (fn: (ch: ReturnType<typeof parseClientHello>) => Uint8Array) =>
    tampered((from, level, data) =>
      from === 'client' && level === 'initial' ? fn(parseClientHello(data.subarray(4))) : data,
    );

  it('missing quic_transport_parameters → missing_extension (0x16d, RFC 9001 §8.2)', () => {
    const { serverError } = chRewrite((ch) =>
      encodeClientHello({
        ...ch,
        extensions: ch.extensions.filter((e) => e.type !== ExtensionType.quic_transport_parameters),
      }),
    );
    expect(serverError?.code).toBe(0x16d);
  });

  it('non-empty legacy_session_id from a QUIC client → PROTOCOL_VIOLATION (RFC 9001 §8.4)', () => {
    const { serverError } = chRewrite((ch) =>
      encodeClientHello({ ...ch, legacySessionId: new Uint8Array(32).fill(1) }),
    );
    expect(serverError?.code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('no supported_versions (TLS 1.2 client) → protocol_version', () => {
    const { serverError } = chRewrite((ch) =>
      encodeClientHello({
        ...ch,
        extensions: ch.extensions.filter((e) => e.type !== ExtensionType.supported_versions),
      }),
    );
    expect(serverError?.code).toBe(alert(AlertDescription.protocol_version));
  });

  it('pre_shared_key not last → illegal_parameter; compression method other than null → illegal_parameter', () => {
    const notLast = chRewrite((ch) =>
      encodeClientHello({
        ...ch,
        extensions: [{ type: ExtensionType.pre_shared_key, data: new Uint8Array(0) }, ...ch.extensions],
      }),
    );
    expect(notLast.serverError?.code).toBe(alert(AlertDescription.illegal_parameter));
    const compression = chRewrite((ch) => encodeClientHello({ ...ch, legacyCompressionMethods: Uint8Array.of(1, 0) }));
    expect(compression.serverError?.code).toBe(alert(AlertDescription.illegal_parameter));
  });

  it('no key_share → missing_extension; a share for an unoffered group → illegal_parameter', () => {
    const noShare = chRewrite((ch) =>
      encodeClientHello({ ...ch, extensions: ch.extensions.filter((e) => e.type !== ExtensionType.key_share) }),
    );
    expect(noShare.serverError?.code).toBe(alert(AlertDescription.missing_extension));
    const badGroup = chRewrite((ch) =>
      encodeClientHello({
        ...ch,
        extensions: ch.extensions.map((e) =>
          e.type === ExtensionType.supported_groups ? { type: e.type, data: Uint8Array.of(0, 2, 0x00, 0x17) } : e,
        ),
      }),
    );
    expect(badGroup.serverError?.code).toBe(alert(AlertDescription.illegal_parameter));
  });

  it('quic_transport_parameters over TCP → unsupported_extension (RFC 9001 §8.2)', () => {
    const client = clientContext(pki).createClient(clientOptions(NOW));
    const server = serverContext(pki).createServer(serverOptions(NOW, { transportParameters: undefined }));
    const rec = pump(client, server, NOW);
    expect(errorOf(rec.server)?.code).toBe(alert(AlertDescription.unsupported_extension));
  });

  it('handshake data at a level not in use → unexpected_message; CRYPTO in 0-RTT → PROTOCOL_VIOLATION', () => {
    const client = clientContext(pki).createClient(clientOptions(NOW));
    const ch = (client.pollEvent() as { data: Uint8Array }).data;
    const s1 = serverContext(pki).createServer(serverOptions(NOW));
    s1.handleCryptoData('handshake', ch, NOW);
    expect(s1.error?.code).toBe(alert(AlertDescription.unexpected_message));
    const s2 = serverContext(pki).createServer(serverOptions(NOW));
    s2.handleCryptoData('early-data', ch, NOW);
    expect(s2.error?.code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    expect(s2.pollEvent()).toEqual({ type: 'error', error: s2.error });
    // A failed session ignores further input.
    s2.handleCryptoData('initial', ch, NOW);
    expect(s2.pollEvent()).toBeUndefined();
  });

  it('a message longer than the limit fails before it is buffered', () => {
    const server = serverContext(pki, { maxHandshakeMessageBytes: 1024 }).createServer(serverOptions(NOW));
    server.handleCryptoData('initial', Uint8Array.of(HandshakeType.client_hello, 0, 4, 1), NOW);
    expect(server.error?.code).toBe(alert(AlertDescription.illegal_parameter));
    expect(server.bufferedBytes).toBe(0);
  });

  it('a partial message stays buffered within the limit', () => {
    const server = serverContext(pki, { maxHandshakeMessageBytes: 1024 }).createServer(serverOptions(NOW));
    server.handleCryptoData('initial', Uint8Array.of(HandshakeType.client_hello, 0, 4, 0), NOW);
    for (let i = 0; i < 10; i++) server.handleCryptoData('initial', new Uint8Array(100), NOW);
    expect(server.error).toBeUndefined();
    expect(server.bufferedBytes).toBe(1004);
  });
});

describe('ServerHello checks at the client', () => {
  const shRewrite = (fn: (m: Uint8Array) => Uint8Array) =>
    tampered((from, level, data) => (from === 'server' && level === 'initial' ? fn(data) : data));

  it('a TLS 1.2 ServerHello (no supported_versions) → protocol_version (RFC 9001 §4.2)', () => {
    const { clientError } = shRewrite((data) => {
      const sh = parseServerHello(data.subarray(4));
      return encodeServerHello({
        ...sh,
        extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions),
      });
    });
    expect(clientError?.code).toBe(alert(AlertDescription.protocol_version));
  });

  it('an extension not allowed in ServerHello → illegal_parameter; a cipher suite not offered → illegal_parameter', () => {
    const ext = shRewrite((data) => {
      const sh = parseServerHello(data.subarray(4));
      return encodeServerHello({
        ...sh,
        extensions: [...sh.extensions, { type: ExtensionType.early_data, data: new Uint8Array(0) }],
      });
    });
    expect(ext.clientError?.code).toBe(alert(AlertDescription.illegal_parameter));
    const suite = shRewrite((data) =>
      encodeServerHello({ ...parseServerHello(data.subarray(4)), cipherSuite: 0x1304 }),
    );
    expect(suite.clientError?.code).toBe(alert(AlertDescription.illegal_parameter));
  });

  it('bytes after the ServerHello at the Initial level span a key change → unexpected_message', () => {
    const { clientError } = shRewrite((data) => Uint8Array.from([...data, HandshakeType.encrypted_extensions]));
    expect(clientError?.code).toBe(alert(AlertDescription.unexpected_message));
  });

  it('a second HelloRetryRequest → unexpected_message', async () => {
    const { NamedGroup } = await import('@fos/core');
    const cctx = clientContext(pki, {
      groups: [NamedGroup.x25519, NamedGroup.secp256r1],
      keyShareGroups: [NamedGroup.x25519],
    });
    const client = cctx.createClient(clientOptions(NOW));
    const server = serverContext(pki, { groups: [NamedGroup.secp256r1] }).createServer(serverOptions(NOW));
    let hrr: Uint8Array | undefined;
    const rec = pump(client, server, NOW, {
      intercept: (from, level, data) => {
        if (from !== 'server' || level !== 'initial') return data;
        if (hrr === undefined) {
          hrr = data;
          return data;
        }
        return hrr; // answer ClientHello2 with the same HelloRetryRequest again
      },
    });
    expect(errorOf(rec.client)?.code).toBe(alert(AlertDescription.unexpected_message));
  });
});

describe('post-handshake (RFC 9001 §4.4, §4.6.1, §6)', () => {
  it('KeyUpdate → unexpected_message (0x10a) on both sides', () => {
    const { client, server } = connect(clientContext(pki), serverContext(pki), NOW);
    const keyUpdate = frameHandshake(HandshakeType.key_update, Uint8Array.of(0));
    client.handleCryptoData('application', keyUpdate, NOW);
    server.handleCryptoData('application', keyUpdate, NOW);
    expect(client.error?.code).toBe(0x10a);
    expect(server.error?.code).toBe(0x10a);
  });

  it('a NewSessionTicket whose max_early_data_size is not 0xffffffff → PROTOCOL_VIOLATION', () => {
    const { client } = connect(clientContext(pki), serverContext(pki), NOW);
    const nst = encodeNewSessionTicket({
      lifetimeSeconds: 60,
      ageAdd: 1,
      nonce: Uint8Array.of(1),
      ticket: Uint8Array.of(1, 2, 3),
      extensions: [{ type: ExtensionType.early_data, data: encodeEarlyDataTicket(16384) }],
    });
    client.handleCryptoData('application', nst, NOW);
    expect(client.error?.code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('a post-handshake CertificateRequest → PROTOCOL_VIOLATION', () => {
    const { client } = connect(clientContext(pki), serverContext(pki), NOW);
    client.handleCryptoData(
      'application',
      frameHandshake(HandshakeType.certificate_request, Uint8Array.of(0, 0, 0)),
      NOW,
    );
    expect(client.error?.code).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('a NewSessionTicket with lifetime 0 is discarded', () => {
    const { client } = connect(clientContext(pki), serverContext(pki), NOW);
    client.handleCryptoData(
      'application',
      encodeNewSessionTicket({
        lifetimeSeconds: 0,
        ageAdd: 1,
        nonce: Uint8Array.of(1),
        ticket: Uint8Array.of(1),
        extensions: [],
      }),
      NOW,
    );
    expect(client.error).toBeUndefined();
    expect(client.pollEvent()).toBeUndefined();
  });
});
