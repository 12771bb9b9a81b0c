// Every packet-protection vector of RFC 9001 Appendix A (QUIC v1) and RFC 9369 Appendix A (QUIC v2).
import { readFileSync } from 'node:fs';
import { CipherSuite, type QuicVersion } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel } from '../hkdf-label.js';
import { NodeCryptoProvider } from '../provider/node-crypto-provider.js';
import { CryptoPacketProtection, deriveRetryKeyAndNonce } from './crypto-packet-protection.js';
import { quicVersionParams } from './quic-version-params.js';

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'));
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const provider = new NodeCryptoProvider();
const protection = new CryptoPacketProtection(provider);
const EMPTY = new Uint8Array(0);

for (const file of ['rfc9001.json', 'rfc9369.json']) {
  const fx = load(file);
  const version = Number.parseInt(fx.version.hex, 16) as QuicVersion;
  const name = file === 'rfc9001.json' ? 'RFC 9001 (QUIC v1)' : 'RFC 9369 (QUIC v2)';
  const dcid = hex(fx.client_destination_connection_id);

  describe(name, () => {
    it('the version is supported and its constants are the published ones', () => {
      expect(protection.supportsVersion(version)).toBe(true);
      const params = quicVersionParams(version)!;
      expect(toHex(params.initialSalt)).toBe(fx.initial_salt.hex);
      expect(toHex(params.retryKey)).toBe(fx.retry_integrity.key);
      expect(toHex(params.retryNonce)).toBe(fx.retry_integrity.nonce);
      const derived = deriveRetryKeyAndNonce(provider, version, hex(fx.retry_integrity.secret));
      expect(toHex(derived.key)).toBe(fx.retry_integrity.key);
      expect(toHex(derived.nonce)).toBe(fx.retry_integrity.nonce);
    });

    it('A.1: initial secret, client and server secrets, keys, IVs and header-protection keys', () => {
      const k = fx.keys;
      const p = quicVersionParams(version)!;
      const initial = provider.hkdfExtract('sha256', p.initialSalt, dcid);
      expect(toHex(initial)).toBe(k.initial_secret);
      for (const side of ['client', 'server'] as const) {
        const secret = hkdfExpandLabel(provider, 'sha256', initial, `${side} in`, EMPTY, 32);
        expect(toHex(secret)).toBe(k[`${side}_initial_secret`]);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.keyLabel, EMPTY, 16))).toBe(k[`${side}_key`]);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.ivLabel, EMPTY, 12))).toBe(k[`${side}_iv`]);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.hpLabel, EMPTY, 16))).toBe(k[`${side}_hp`]);
      }
    });

    describe('A.2: client Initial', () => {
      const v = fx.client_initial;
      const header = hex(v.unprotected_header);
      const pnOffset = header.length - v.packet_number_length;
      const payload = new Uint8Array(v.plaintext_payload_length);
      payload.set(hex(v.crypto_frame));

      it('protect gives the exact protected packet', () => {
        const buf = new Uint8Array(header.length + payload.length + 16);
        buf.set(header);
        buf.set(payload, header.length);
        const { write } = protection.initial(version, dcid, 'client');
        const end = write.protect(
          buf,
          0,
          pnOffset,
          v.packet_number_length,
          v.packet_number,
          header.length + payload.length,
        );
        expect(end).toBe(buf.length);
        expect(toHex(buf.subarray(0, header.length))).toBe(v.protected_header);
        expect(toHex(buf)).toBe(v.protected_packet);
      });

      it('the server removes header protection and decrypts back to the original', () => {
        const buf = hex(v.protected_packet);
        const { read } = protection.initial(version, dcid, 'server');
        expect(read.unprotectHeader(buf, 0, pnOffset, buf.length)).toBe(v.packet_number_length);
        expect(toHex(buf.subarray(0, header.length))).toBe(v.unprotected_header);
        const end = read.decrypt(buf, 0, header.length, buf.length, v.packet_number);
        expect(end).toBe(header.length + payload.length);
        expect(toHex(buf.subarray(header.length, end))).toBe(toHex(payload));
      });
    });

    describe('A.3: server Initial', () => {
      const v = fx.server_initial;
      const header = hex(v.unprotected_header);
      const payload = hex(v.plaintext_payload);
      const pnOffset = header.length - v.packet_number_length;

      it('protect gives the exact protected packet', () => {
        const buf = new Uint8Array(header.length + payload.length + 16);
        buf.set(header);
        buf.set(payload, header.length);
        const { write } = protection.initial(version, dcid, 'server');
        expect(
          write.protect(buf, 0, pnOffset, v.packet_number_length, v.packet_number, header.length + payload.length),
        ).toBe(buf.length);
        expect(toHex(buf)).toBe(v.protected_packet);
      });

      it('the client removes protection', () => {
        const buf = hex(v.protected_packet);
        const { read } = protection.initial(version, dcid, 'client');
        expect(read.unprotectHeader(buf, 0, pnOffset, buf.length)).toBe(v.packet_number_length);
        expect(toHex(buf.subarray(0, header.length))).toBe(v.unprotected_header);
        expect(read.decrypt(buf, 0, header.length, buf.length, v.packet_number)).toBe(header.length + payload.length);
        expect(toHex(buf.subarray(header.length, header.length + payload.length))).toBe(v.plaintext_payload);
      });
    });

    describe('A.4: Retry', () => {
      const v = fx.retry;
      const retry = hex(v.retry_packet);
      const odcid = hex(v.original_destination_connection_id);

      it('the integrity tag of the packet without its tag is the published one', () => {
        const tag = protection.retryIntegrityTag(version, odcid, retry.subarray(0, retry.length - 16));
        expect(toHex(tag)).toBe(v.retry_packet.slice(-32));
      });

      it('verify accepts the packet and refuses any changed bit, another ODCID or a short packet', () => {
        expect(protection.verifyRetryIntegrity(version, odcid, retry)).toBe(true);
        for (let bit = 0; bit < retry.length * 8; bit += 7) {
          const bad = Uint8Array.from(retry);
          bad[bit >> 3] ^= 1 << (bit & 7);
          expect(protection.verifyRetryIntegrity(version, odcid, bad)).toBe(false);
        }
        const otherOdcid = Uint8Array.from(odcid);
        otherOdcid[0] ^= 1;
        expect(protection.verifyRetryIntegrity(version, otherOdcid, retry)).toBe(false);
        expect(protection.verifyRetryIntegrity(version, odcid.subarray(1), retry)).toBe(false);
        expect(protection.verifyRetryIntegrity(version, odcid, retry.subarray(0, 15))).toBe(false);
        expect(protection.verifyRetryIntegrity(version, new Uint8Array(21), retry)).toBe(false);
        expect(() => protection.retryIntegrityTag(version, new Uint8Array(21), retry)).toThrow(RangeError);
      });
    });

    describe('A.5: ChaCha20-Poly1305 short header packet', () => {
      const v = fx.chacha20_poly1305_short_header;
      const suite = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
      const header = hex(v.unprotected_header);
      const pnOffset = header.length - v.packet_number_length;

      it('key, iv, hp and ku derive from the secret with the version labels', () => {
        const p = quicVersionParams(version)!;
        const secret = hex(v.secret);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.keyLabel, EMPTY, 32))).toBe(v.key);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.ivLabel, EMPTY, 12))).toBe(v.iv);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.hpLabel, EMPTY, 32))).toBe(v.hp);
        expect(toHex(hkdfExpandLabel(provider, 'sha256', secret, p.kuLabel, EMPTY, 32))).toBe(v.ku);
      });

      it('the nonce is the IV XOR the packet number', () => {
        const iv = hex(v.iv);
        const pn = new Uint8Array(12);
        new DataView(pn.buffer).setUint32(8, v.packet_number);
        expect(toHex(iv.map((b, i) => b ^ pn[i]))).toBe(v.nonce);
        // and the AEAD with that nonce and the header as AAD gives the published ciphertext
        const out = new Uint8Array(17);
        provider
          .createAeadKey('chacha20-poly1305', hex(v.key))
          .seal(hex(v.nonce), header, hex(v.payload_plaintext), out, 0);
        expect(toHex(out)).toBe(v.payload_ciphertext);
      });

      it('protect gives the exact protected packet', () => {
        const buf = new Uint8Array(header.length + 1 + 16);
        buf.set(header);
        buf.set(hex(v.payload_plaintext), header.length);
        const p = protection.fromSecret(version, suite, hex(v.secret));
        expect(p.cipherSuite).toBe(suite);
        expect(p.version).toBe(version);
        expect(p.protect(buf, 0, pnOffset, v.packet_number_length, v.packet_number, header.length + 1)).toBe(
          buf.length,
        );
        expect(toHex(buf)).toBe(v.protected_packet);
      });

      it('unprotect recovers header and payload', () => {
        const buf = hex(v.protected_packet);
        const p = protection.fromSecret(version, suite, hex(v.secret));
        expect(p.unprotectHeader(buf, 0, pnOffset, buf.length)).toBe(v.packet_number_length);
        expect(toHex(buf.subarray(0, header.length))).toBe(v.unprotected_header);
        expect(p.decrypt(buf, 0, header.length, buf.length, v.packet_number)).toBe(header.length + 1);
        expect(toHex(buf.subarray(header.length, header.length + 1))).toBe(v.payload_plaintext);
      });

      it(`nextGeneration uses the "${file === 'rfc9001.json' ? 'quic ku' : 'quicv2 ku'}" secret and keeps the header protection key`, () => {
        const gen0 = protection.fromSecret(version, suite, hex(v.secret));
        const gen1 = gen0.nextGeneration();
        const fromKu = protection.fromSecret(version, suite, hex(v.ku));
        expect(gen1.generation).toBe(1);
        expect(gen1.nextGeneration().generation).toBe(2);
        const make = () => {
          const buf = new Uint8Array(header.length + 1 + 16);
          buf.set(header);
          buf.set(hex(v.payload_plaintext), header.length);
          return buf;
        };
        const a = make();
        const b = make();
        gen1.protect(a, 0, pnOffset, v.packet_number_length, v.packet_number, header.length + 1);
        // RFC 9001 §6.1: the new key is "quic ku"(secret); HP stays the gen-0 key, which for `fromKu` would differ.
        const aead = provider.createAeadKey(
          'chacha20-poly1305',
          hkdfExpandLabel(provider, 'sha256', hex(v.ku), quicVersionParams(version)!.keyLabel, EMPTY, 32),
        );
        const iv = hkdfExpandLabel(provider, 'sha256', hex(v.ku), quicVersionParams(version)!.ivLabel, EMPTY, 12);
        const nonce = iv.map((x, i) => x ^ hex(v.nonce)[i] ^ hex(v.iv)[i]);
        const expectedPayload = new Uint8Array(17);
        aead.seal(nonce, header, hex(v.payload_plaintext), expectedPayload, 0);
        expect(toHex(a.subarray(header.length))).toBe(toHex(expectedPayload));
        const gen1Header = toHex(a.subarray(0, header.length));
        // header protection of generation 1 is the generation-0 one: gen0 can remove it …
        expect(gen0.unprotectHeader(a, 0, pnOffset, a.length)).toBe(v.packet_number_length);
        expect(toHex(a.subarray(0, header.length))).toBe(v.unprotected_header);
        // … but cannot decrypt, while generation 1 of the peer can
        expect(gen0.decrypt(Uint8Array.from(a), 0, header.length, a.length, v.packet_number)).toBe(-1);
        expect(
          protection
            .fromSecret(version, suite, hex(v.secret))
            .nextGeneration()
            .decrypt(a, 0, header.length, a.length, v.packet_number),
        ).toBe(header.length + 1);
        // a protector made directly from the ku secret seals the same payload but masks the header with another key
        fromKu.protect(b, 0, pnOffset, v.packet_number_length, v.packet_number, header.length + 1);
        expect(toHex(b.subarray(header.length))).toBe(toHex(expectedPayload));
        expect(toHex(b.subarray(0, header.length))).not.toBe(gen1Header);
      });
    });
  });
}
