// In-memory client↔server handshakes for every cipher suite × group × signature scheme (RFC 8446 §9.1 plus the
// RFC 9001 §5.3 suites): both sides complete, agree on every secret and the exporter, and the server signed with the
// expected scheme.
import { CipherSuite, NamedGroup, SignatureScheme } from '@fos/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeCryptoProvider } from '../src/provider/node-crypto-provider.js';
import { HandshakeType } from '../src/tls/constants.js';
import { TlsContext } from '../src/tls/tls-context.js';
import { parseCertificateVerify } from '../src/tls/wire/certificate-verify.js';
import { HandshakeReassembler } from '../src/tls/wire/handshake-framing.js';
import { createCa, createLeaf, type Issuer, type KeyKind, type Leaf } from './support/pki.js';
import { errorOf, ofType, pump, secrets } from './support/pump.js';

const provider = new NodeCryptoProvider();
const NOW = Date.now();
const SUITES = [
  CipherSuite.TLS_AES_128_GCM_SHA256,
  CipherSuite.TLS_AES_256_GCM_SHA384,
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
] as const;
const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1] as const;
const SCHEMES: readonly [SignatureScheme, KeyKind][] = [
  [SignatureScheme.ecdsa_secp256r1_sha256, 'p256'],
  [SignatureScheme.ecdsa_secp384r1_sha384, 'p384'],
  [SignatureScheme.rsa_pss_rsae_sha256, 'rsa'],
  [SignatureScheme.rsa_pss_rsae_sha384, 'rsa'],
  [SignatureScheme.rsa_pss_rsae_sha512, 'rsa'],
  [SignatureScheme.ed25519, 'ed25519'],
];

let ca: Issuer;
const leaves = new Map<KeyKind, Leaf>();

beforeAll(async () => {
  ca = await createCa('Matrix CA');
  for (const kind of ['p256', 'p384', 'rsa', 'ed25519'] as const) {
    leaves.set(kind, await createLeaf(ca, kind, { names: ['localhost'] }));
  }
});

/** The CertificateVerify scheme in the server's Handshake flight. */
function serverScheme(events: ReturnType<typeof pump>['server']): number | undefined {
  const r = new HandshakeReassembler(1 << 20);
  for (const e of ofType(events, 'handshake-data')) {
    if (e.level !== 'handshake') continue;
    r.push(e.data);
    for (let m = r.next(); m !== undefined; m = r.next()) {
      if (m.type === HandshakeType.certificate_verify) return parseCertificateVerify(m.body).scheme;
    }
  }
  return undefined;
}

describe('handshake matrix', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const [scheme, kind] of SCHEMES) {
        it(`suite 0x${suite.toString(16)} × group 0x${group.toString(16)} × scheme 0x${scheme.toString(16)}`, () => {
          const leaf = leaves.get(kind)!;
          const server = new TlsContext({
            provider,
            cipherSuites: [suite],
            groups: [group],
            certificates: [{ chain: [leaf.der, ca.der], key: leaf.key }],
          }).createServer({ alpnProtocols: ['h3'], transportParameters: Uint8Array.of(1, 2, 3), epochMs: NOW });
          const client = new TlsContext({
            provider,
            cipherSuites: [suite],
            groups: [group],
            signatureSchemes: [scheme],
            verify: { ca: ca.pem },
          }).createClient({
            alpnProtocols: ['h3'],
            serverName: 'localhost',
            transportParameters: Uint8Array.of(4, 5),
            epochMs: NOW,
          });
          const rec = pump(client, server, NOW);
          expect(errorOf(rec.client)).toBeUndefined();
          expect(errorOf(rec.server)).toBeUndefined();
          expect(client.handshakeComplete).toBe(true);
          expect(server.handshakeComplete).toBe(true);
          expect(client.cipherSuite).toBe(suite);
          expect(server.cipherSuite).toBe(suite);
          expect(client.alpnProtocol).toBe('h3');
          expect(server.alpnProtocol).toBe('h3');
          expect(Array.from(client.peerTransportParameters!)).toEqual([1, 2, 3]);
          expect(Array.from(server.peerTransportParameters!)).toEqual([4, 5]);
          expect(serverScheme(rec.server)).toBe(scheme);
          expect(client.peerCertificates.map((c) => Buffer.from(c).toString('hex'))).toEqual([
            Buffer.from(leaf.der).toString('hex'),
            Buffer.from(ca.der).toString('hex'),
          ]);
          // What one side writes, the other reads, at every level.
          const c = secrets(rec.client);
          const s = secrets(rec.server);
          expect(c.get('handshake/write')).toBe(s.get('handshake/read'));
          expect(c.get('handshake/read')).toBe(s.get('handshake/write'));
          expect(c.get('application/write')).toBe(s.get('application/read'));
          expect(c.get('application/read')).toBe(s.get('application/write'));
          expect(c.get('handshake/write')).not.toBe(c.get('handshake/read'));
          expect(c.get('application/write')?.length).toBe(suite === CipherSuite.TLS_AES_256_GCM_SHA384 ? 96 : 64);
          const label = 'EXPORTER-test';
          expect(Buffer.from(client.exportKeyingMaterial(label, Uint8Array.of(1), 32)).toString('hex')).toBe(
            Buffer.from(server.exportKeyingMaterial(label, Uint8Array.of(1), 32)).toString('hex'),
          );
        });
      }
    }
  }
});
