import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveSecret, emptyTranscriptHash, encodeHkdfLabel, hkdfExpandLabel } from './hkdf-label.js';
import { NodeCryptoProvider } from './provider/node-crypto-provider.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8'));
const v1 = load('rfc9001.json');
const v2 = load('rfc9369.json');
const hex = (s: string): Uint8Array => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();
const EMPTY = new Uint8Array(0);

describe('encodeHkdfLabel (RFC 8446 §7.1)', () => {
  const cases: Array<[string, string, number]> = [
    [v1.keys.hkdf_labels.hkdf_label_client_in, 'client in', 32],
    [v1.keys.hkdf_labels.hkdf_label_server_in, 'server in', 32],
    [v1.keys.hkdf_labels.hkdf_label_quic_key, 'quic key', 16],
    [v1.keys.hkdf_labels.hkdf_label_quic_iv, 'quic iv', 12],
    [v1.keys.hkdf_labels.hkdf_label_quic_hp, 'quic hp', 16],
    [v2.keys.hkdf_labels.hkdf_label_quicv2_key, 'quicv2 key', 16],
    [v2.keys.hkdf_labels.hkdf_label_quicv2_iv, 'quicv2 iv', 12],
    [v2.keys.hkdf_labels.hkdf_label_quicv2_hp, 'quicv2 hp', 16],
  ];
  for (const [expected, label, length] of cases) {
    it(`RFC 9001/9369 A.1: "${label}", length ${length}`, () => {
      expect(toHex(encodeHkdfLabel(label, EMPTY, length))).toBe(expected);
    });
  }

  it('encodes a non-empty context after its length byte', () => {
    expect(toHex(encodeHkdfLabel('c hs traffic', hex('aabbcc'), 48))).toBe(
      `0030${(6 + 12).toString(16).padStart(2, '0')}${Buffer.from('tls13 c hs traffic').toString('hex')}03aabbcc`,
    );
  });

  it('refuses labels and contexts outside the structure bounds', () => {
    expect(() => encodeHkdfLabel('', EMPTY, 16)).toThrow(RangeError); // label<7..255>
    expect(toHex(encodeHkdfLabel('x'.repeat(249), EMPTY, 1)).length).toBe(2 * (2 + 1 + 255 + 1));
    expect(() => encodeHkdfLabel('x'.repeat(250), EMPTY, 16)).toThrow(RangeError);
    expect(() => encodeHkdfLabel('quic é', EMPTY, 16)).toThrow(RangeError);
    expect(encodeHkdfLabel('k', new Uint8Array(255), 16).length).toBe(2 + 1 + 7 + 1 + 255);
    expect(() => encodeHkdfLabel('k', new Uint8Array(256), 16)).toThrow(RangeError);
    expect(() => encodeHkdfLabel('k', EMPTY, 0x10000)).toThrow(RangeError);
    expect(() => encodeHkdfLabel('k', EMPTY, 1.5)).toThrow(RangeError);
  });
});

describe('hkdfExpandLabel / deriveSecret', () => {
  it('RFC 9001 A.1: initial secrets and keys', () => {
    const initial = provider.hkdfExtract('sha256', hex(v1.initial_salt.hex), hex(v1.client_destination_connection_id));
    expect(toHex(initial)).toBe(v1.keys.initial_secret);
    const client = hkdfExpandLabel(provider, 'sha256', initial, 'client in', EMPTY, 32);
    expect(toHex(client)).toBe(v1.keys.client_initial_secret);
    expect(toHex(hkdfExpandLabel(provider, 'sha256', client, 'quic key', EMPTY, 16))).toBe(v1.keys.client_key);
    expect(toHex(hkdfExpandLabel(provider, 'sha256', client, 'quic iv', EMPTY, 12))).toBe(v1.keys.client_iv);
    expect(toHex(hkdfExpandLabel(provider, 'sha256', client, 'quic hp', EMPTY, 16))).toBe(v1.keys.client_hp);
  });

  it('Derive-Secret is HKDF-Expand-Label with the transcript hash as context and Hash.length output', () => {
    const secret = hex(v1.keys.initial_secret);
    for (const alg of ['sha256', 'sha384'] as const) {
      const th = emptyTranscriptHash(provider, alg);
      expect(toHex(th)).toBe(toHex(provider.digest(alg, EMPTY)));
      const derived = deriveSecret(provider, alg, secret, 'derived', th);
      expect(derived.length).toBe(provider.hashLength(alg));
      expect(toHex(derived)).toBe(
        toHex(provider.hkdfExpand(alg, secret, encodeHkdfLabel('derived', th, th.length), th.length)),
      );
    }
  });
});
