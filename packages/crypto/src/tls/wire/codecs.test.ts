// The triplet for every TLS handshake message and extension codec: known vectors (RFC 8448) parse, every truncation
// fails with decode_error, and encode → parse round-trips under fast-check.
import { ByteReader, TransportError } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/fixtures/rfc8448.json' with { type: 'json' };
import { AlertDescription, ExtensionType } from '../constants.js';
import { encodeCertificate, parseCertificate } from './certificate.js';
import { encodeCertificateRequest, parseCertificateRequest } from './certificate-request.js';
import { encodeCertificateVerify, parseCertificateVerify } from './certificate-verify.js';
import { encodeClientHello, parseClientHello } from './client-hello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from './encrypted-extensions.js';
import * as X from './extension-codecs.js';
import { type Extension, readExtensions } from './extensions.js';
import { encodeFinished, parseFinished } from './finished.js';
import { HandshakeReassembler, splitHandshake } from './handshake-framing.js';
import { encodeNewSessionTicket, parseNewSessionTicket } from './new-session-ticket.js';
import { encodeServerHello, isHelloRetryRequest, parseServerHello } from './server-hello.js';
import { TlsWriter } from './tls-writer.js';

const DECODE_ERROR = 0x100 + AlertDescription.decode_error;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function expectDecodeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).code).toBe(DECODE_ERROR);
    return;
  }
  throw new Error('expected a decode_error');
}

/** Every strict prefix of a body must fail with decode_error. */
function everyTruncationFails(body: Uint8Array, parse: (b: Uint8Array) => unknown): void {
  for (let n = 0; n < body.length; n++) expectDecodeError(() => parse(body.slice(0, n)));
}

const s3 = vectors.simple_1rtt_handshake.summary;
const s4 = vectors.resumed_0rtt_handshake.summary;
const known: [string, string, (b: Uint8Array) => unknown, (x: never) => Uint8Array][] = [
  ['ClientHello §3', s3.client_hello, parseClientHello, encodeClientHello as never],
  ['ClientHello with PSK §4', s4.client_hello, parseClientHello, encodeClientHello as never],
  ['ServerHello §3', s3.server_hello, parseServerHello, encodeServerHello as never],
  ['ServerHello §4', s4.server_hello, parseServerHello, encodeServerHello as never],
  ['EncryptedExtensions', s3.encrypted_extensions, parseEncryptedExtensions, encodeEncryptedExtensions as never],
  ['Certificate', s3.certificate, parseCertificate, encodeCertificate as never],
  ['CertificateVerify', s3.certificate_verify, parseCertificateVerify, encodeCertificateVerify as never],
  ['NewSessionTicket', s3.new_session_ticket, parseNewSessionTicket, encodeNewSessionTicket as never],
];

describe('known vectors (RFC 8448)', () => {
  for (const [name, msgHex, parse, encode] of known) {
    it(`${name}: parses, re-encodes bit-exactly, and every truncation is a decode_error`, () => {
      const m = splitHandshake(unhex(msgHex));
      expect(hex(encode(parse(m.body) as never))).toBe(msgHex);
      everyTruncationFails(m.body, parse);
    });
  }

  it('Finished: the body must be exactly Hash.length', () => {
    const m = splitHandshake(unhex(s3.server_finished));
    expect(hex(encodeFinished(parseFinished(m.body, 32)))).toBe(s3.server_finished);
    everyTruncationFails(m.body, (b) => parseFinished(b, 32));
    expectDecodeError(() => parseFinished(m.body, 48));
  });

  it('splitHandshake refuses a header whose length does not match', () => {
    const msg = unhex(s3.server_finished);
    expectDecodeError(() => splitHandshake(msg.subarray(0, 3)));
    expectDecodeError(() => splitHandshake(msg.subarray(0, msg.length - 1)));
  });

  it('the §3 ServerHello is not a HelloRetryRequest', () => {
    expect(isHelloRetryRequest(parseServerHello(splitHandshake(unhex(s3.server_hello)).body))).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------- arbitraries

const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const extensionList = (exclude: number[] = [], min = 0) =>
  fc
    .uniqueArray(fc.record({ type: u16.filter((t) => !exclude.includes(t)), data: bytes(0, 40) }), {
      selector: (e) => e.type,
      minLength: min,
      maxLength: 8,
    })
    .filter((list) => list.reduce((n, e) => n + 4 + e.data.length, 0) >= min * 4);

function sameExtensions(a: readonly Extension[], b: readonly Extension[]): void {
  expect(a.map((e) => [e.type, hex(e.data)])).toEqual(b.map((e) => [e.type, hex(e.data)]));
}

describe('round trips (fast-check)', () => {
  it('ClientHello', () => {
    fc.assert(
      fc.property(
        bytes(32, 32),
        bytes(0, 32),
        fc.array(u16, { minLength: 1, maxLength: 50 }),
        bytes(1, 10),
        extensionList([ExtensionType.pre_shared_key], 2),
        (random, sid, suites, comp, exts) => {
          const ch = {
            legacyVersion: 0x0303,
            random,
            legacySessionId: sid,
            cipherSuites: suites,
            legacyCompressionMethods: comp,
            extensions: exts,
          };
          const p = parseClientHello(splitHandshake(encodeClientHello(ch)).body);
          expect(hex(p.random)).toBe(hex(random));
          expect(hex(p.legacySessionId)).toBe(hex(sid));
          expect(p.cipherSuites).toEqual(suites);
          expect(hex(p.legacyCompressionMethods)).toBe(hex(comp));
          sameExtensions(p.extensions, exts);
          expect(p.bindersLength).toBe(0);
        },
      ),
    );
  });

  it('ServerHello / HelloRetryRequest', () => {
    fc.assert(
      fc.property(
        bytes(32, 32),
        bytes(0, 32),
        u16,
        fc.integer({ min: 0, max: 255 }),
        extensionList([], 2),
        (random, sid, suite, comp, exts) => {
          const sh = {
            legacyVersion: 0x0303,
            random,
            legacySessionIdEcho: sid,
            cipherSuite: suite,
            legacyCompressionMethod: comp,
            extensions: exts,
          };
          const p = parseServerHello(splitHandshake(encodeServerHello(sh)).body);
          expect([hex(p.random), hex(p.legacySessionIdEcho), p.cipherSuite, p.legacyCompressionMethod]).toEqual([
            hex(random),
            hex(sid),
            suite,
            comp,
          ]);
          sameExtensions(p.extensions, exts);
        },
      ),
    );
  });

  it('EncryptedExtensions, CertificateRequest, CertificateVerify, NewSessionTicket, Certificate', () => {
    fc.assert(
      fc.property(extensionList(), (exts) => {
        sameExtensions(
          parseEncryptedExtensions(splitHandshake(encodeEncryptedExtensions({ extensions: exts })).body).extensions,
          exts,
        );
      }),
    );
    fc.assert(
      fc.property(bytes(0, 255), extensionList([], 1), (ctx, exts) => {
        const p = parseCertificateRequest(
          splitHandshake(encodeCertificateRequest({ requestContext: ctx, extensions: exts })).body,
        );
        expect(hex(p.requestContext)).toBe(hex(ctx));
        sameExtensions(p.extensions, exts);
      }),
    );
    fc.assert(
      fc.property(u16, bytes(0, 600), (scheme, sig) => {
        const p = parseCertificateVerify(splitHandshake(encodeCertificateVerify({ scheme, signature: sig })).body);
        expect([p.scheme, hex(p.signature)]).toEqual([scheme, hex(sig)]);
      }),
    );
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: 0xffff_ffff }),
        bytes(0, 255),
        bytes(1, 300),
        extensionList(),
        (life, add, nonce, ticket, exts) => {
          const p = parseNewSessionTicket(
            splitHandshake(
              encodeNewSessionTicket({ lifetimeSeconds: life, ageAdd: add, nonce, ticket, extensions: exts }),
            ).body,
          );
          expect([p.lifetimeSeconds, p.ageAdd, hex(p.nonce), hex(p.ticket)]).toEqual([
            life,
            add,
            hex(nonce),
            hex(ticket),
          ]);
          sameExtensions(p.extensions, exts);
        },
      ),
    );
    fc.assert(
      fc.property(
        bytes(0, 20),
        fc.array(fc.record({ data: bytes(1, 200), extensions: extensionList() }), { maxLength: 4 }),
        (ctx, entries) => {
          const p = parseCertificate(splitHandshake(encodeCertificate({ requestContext: ctx, entries })).body);
          expect(hex(p.requestContext)).toBe(hex(ctx));
          expect(p.entries.map((e) => hex(e.data))).toEqual(entries.map((e) => hex(e.data)));
          p.entries.forEach((e, i) => {
            sameExtensions(e.extensions, entries[i].extensions);
          });
        },
      ),
    );
  });

  it('extension codecs', () => {
    const u16List = (min: number) => fc.array(u16, { minLength: min, maxLength: 40 });
    fc.assert(
      fc.property(u16List(1), (g) => {
        expect(X.parseSupportedGroups(X.encodeSupportedGroups(g))).toEqual(g);
      }),
    );
    fc.assert(
      fc.property(u16List(1), (s) => {
        expect(X.parseSignatureAlgorithms(X.encodeSignatureAlgorithms(s))).toEqual(s);
      }),
    );
    fc.assert(
      fc.property(u16List(1), (v) => {
        expect(X.parseSupportedVersionsClient(X.encodeSupportedVersionsClient(v))).toEqual(v);
      }),
    );
    fc.assert(
      fc.property(u16, (v) => {
        expect(X.parseSupportedVersionsServer(X.encodeSupportedVersionsServer(v))).toBe(v);
      }),
    );
    const entry = fc.record({ group: u16, keyExchange: bytes(1, 100) });
    const norm = (e: X.KeyShareEntry) => [e.group, hex(e.keyExchange)];
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (s) => {
        expect(X.parseKeyShareClient(X.encodeKeyShareClient(s)).map(norm)).toEqual(s.map(norm));
      }),
    );
    fc.assert(
      fc.property(entry, (e) => {
        expect(norm(X.parseKeyShareServer(X.encodeKeyShareServer(e)))).toEqual(norm(e));
      }),
    );
    fc.assert(
      fc.property(u16, (g) => {
        expect(X.parseKeyShareHrr(X.encodeKeyShareHrr(g))).toBe(g);
      }),
    );
    const name = fc.string({
      minLength: 1,
      maxLength: 60,
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-'.split('')),
    });
    fc.assert(
      fc.property(name, (n) => {
        expect(X.parseServerName(X.encodeServerName(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 6 }), (l) => {
        expect(X.parseAlpn(X.encodeAlpn(l))).toEqual(l);
      }),
    );
    fc.assert(
      fc.property(bytes(1, 10), (m) => {
        expect(X.parsePskModes(X.encodePskModes(Array.from(m)))).toEqual(Array.from(m));
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bytes(1, 60), fc.nat({ max: 0xffff_ffff }), bytes(32, 48)), { minLength: 1, maxLength: 4 }),
        (items) => {
          const offered = {
            identities: items.map(([identity, age]) => ({ identity, obfuscatedTicketAge: age })),
            binders: items.map(([, , b]) => b),
          };
          const encoded = X.encodeOfferedPsks(offered);
          const p = X.parseOfferedPsks(encoded);
          expect(p.identities.map((i) => [hex(i.identity), i.obfuscatedTicketAge])).toEqual(
            items.map(([i, a]) => [hex(i), a]),
          );
          expect(p.binders.map(hex)).toEqual(items.map(([, , b]) => hex(b)));
          // The binders vector is the tail of the extension (what Truncate() removes).
          expect(X.bindersLength(p.binders)).toBe(
            encoded.length - (2 + items.reduce((n, [i]) => n + 2 + i.length + 4, 0)),
          );
        },
      ),
    );
    fc.assert(
      fc.property(u16, (i) => {
        expect(X.parsePskServer(X.encodePskServer(i))).toBe(i);
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), (n) => {
        expect(X.parseEarlyDataTicket(X.encodeEarlyDataTicket(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(bytes(1, 100), (c) => {
        expect(hex(X.parseCookie(X.encodeCookie(c)))).toBe(hex(c));
      }),
    );
  });

  it('extension codecs reject truncations and trailing bytes with decode_error', () => {
    const samples: [Uint8Array, (d: Uint8Array) => unknown][] = [
      [X.encodeSupportedGroups([0x1d, 0x17]), X.parseSupportedGroups],
      [X.encodeSignatureAlgorithms([0x0403]), X.parseSignatureAlgorithms],
      [X.encodeSupportedVersionsClient([0x0304]), X.parseSupportedVersionsClient],
      [X.encodeSupportedVersionsServer(0x0304), X.parseSupportedVersionsServer],
      [X.encodeKeyShareClient([{ group: 0x1d, keyExchange: new Uint8Array(32) }]), X.parseKeyShareClient],
      [X.encodeKeyShareServer({ group: 0x1d, keyExchange: new Uint8Array(32) }), X.parseKeyShareServer],
      [X.encodeKeyShareHrr(0x17), X.parseKeyShareHrr],
      [X.encodeServerName('example.org'), X.parseServerName],
      [X.encodeAlpn(['h3', 'hq']), X.parseAlpn],
      [X.encodePskModes([1]), X.parsePskModes],
      [
        X.encodeOfferedPsks({
          identities: [{ identity: Uint8Array.of(1, 2), obfuscatedTicketAge: 5 }],
          binders: [new Uint8Array(32)],
        }),
        X.parseOfferedPsks,
      ],
      [X.encodePskServer(0), X.parsePskServer],
      [X.encodeEarlyDataTicket(0xffffffff), X.parseEarlyDataTicket],
      [X.encodeCookie(Uint8Array.of(1, 2, 3)), X.parseCookie],
    ];
    for (const [data, parse] of samples) {
      everyTruncationFails(data, parse);
      expectDecodeError(() => parse(Uint8Array.from([...data, 0])));
    }
    expectDecodeError(() => X.parseEarlyDataEmpty(Uint8Array.of(0)));
    expectDecodeError(() => X.parseSupportedGroups(Uint8Array.of(0, 3, 0, 0x1d, 0)));
  });

  it('a duplicate extension in a block is an illegal_parameter (RFC 8446 §4.2)', () => {
    const w = new TlsWriter().begin(2).u16(10).vector(2, Uint8Array.of(0)).u16(10).vector(2, Uint8Array.of(1)).end();
    try {
      readExtensions(new ByteReader(w.finish()), 0, 0xffff, 'test');
      throw new Error('no error');
    } catch (e) {
      expect((e as TransportError).code).toBe(0x100 + AlertDescription.illegal_parameter);
    }
  });
});

describe('TlsWriter and HandshakeReassembler', () => {
  it('a vector longer than its length prefix is a RangeError; unbalanced use throws', () => {
    expect(() => new TlsWriter().begin(1).bytes(new Uint8Array(256)).end()).toThrow(RangeError);
    expect(() => new TlsWriter().end()).toThrow();
    expect(() => new TlsWriter().begin(2).finish()).toThrow();
  });

  it('reassembles messages from any chunking, never buffering more than one message', () => {
    const flight = Uint8Array.from(
      Buffer.concat([
        unhex(s3.encrypted_extensions),
        unhex(s3.certificate),
        unhex(s3.certificate_verify),
        unhex(s3.server_finished),
      ]),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const r = new HandshakeReassembler(1000);
        const out: string[] = [];
        let p = 0;
        for (let k = 0; p < flight.length; k++) {
          const n = sizes[k % sizes.length];
          r.push(flight.subarray(p, p + n));
          p += n;
          for (let m = r.next(); m !== undefined; m = r.next()) out.push(hex(m.message));
          expect(r.buffered).toBeLessThanOrEqual(1004);
        }
        expect(out).toEqual([s3.encrypted_extensions, s3.certificate, s3.certificate_verify, s3.server_finished]);
        expect(r.buffered).toBe(0);
      }),
    );
  });

  it('refuses a header that announces more than the limit', () => {
    const r = new HandshakeReassembler(100);
    r.push(Uint8Array.of(1, 0, 0, 101));
    expect(() => r.next()).toThrow(TransportError);
  });
});
