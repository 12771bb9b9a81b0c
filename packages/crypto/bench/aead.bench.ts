// AEAD seal/open, header protection and whole-packet protect/unprotect for a 1200-byte QUIC packet, per cipher
// suite, with baselines measured in the same run. Run: npx vitest bench --run --project crypto
// Compare ratios within one run; the machine is shared and absolute figures drift.
import { type CipherGCMTypes, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { type AeadAlgorithm, CipherSuite, type HeaderProtectionAlgorithm, QuicVersion } from '@fos/core';
import { bench, describe } from 'vitest';
import { CryptoPacketProtection, NodeCryptoProvider } from '../src/index.js';

const provider = new NodeCryptoProvider();
const protection = new CryptoPacketProtection(provider);

const PACKET = 1200;
const TAG = 16;
/** A 1-RTT packet: 1 + 8-byte DCID + 4-byte packet number header, payload up to 1200 bytes with the tag. */
const HEADER = 13;
const PAYLOAD = PACKET - HEADER - TAG;
const SUITES: ReadonlyArray<{
  name: string;
  suite: CipherSuite;
  aead: AeadAlgorithm;
  hp: HeaderProtectionAlgorithm;
  keyLength: number;
  secretLength: number;
}> = [
  {
    name: 'AES-128-GCM',
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    aead: 'aes-128-gcm',
    hp: 'aes-128-ecb',
    keyLength: 16,
    secretLength: 32,
  },
  {
    name: 'AES-256-GCM',
    suite: CipherSuite.TLS_AES_256_GCM_SHA384,
    aead: 'aes-256-gcm',
    hp: 'aes-256-ecb',
    keyLength: 32,
    secretLength: 48,
  },
  {
    name: 'ChaCha20-Poly1305',
    suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    aead: 'chacha20-poly1305',
    hp: 'chacha20',
    keyLength: 32,
    secretLength: 32,
  },
];

const BENCH = { time: 400, warmupTime: 100 } as const;

for (const s of SUITES) {
  const key = provider.randomBytes(s.keyLength);
  const nonce = provider.randomBytes(12);
  const aad = provider.randomBytes(HEADER);
  const plaintext = provider.randomBytes(PAYLOAD);
  const out = new Uint8Array(PACKET);
  const aeadKey = provider.createAeadKey(s.aead, key);
  const sealed = new Uint8Array(PAYLOAD + TAG);
  aeadKey.seal(nonce, aad, plaintext, sealed, 0);
  const forged = Uint8Array.from(sealed);
  forged[5] ^= 1;
  const rawKey = Buffer.from(key);

  describe(`${s.name} AEAD, ${PAYLOAD}-byte payload`, () => {
    bench(
      'seal (KeyObject imported once)',
      () => {
        aeadKey.seal(nonce, aad, plaintext, out, 0);
      },
      BENCH,
    );
    bench(
      'baseline: seal with the raw key Buffer passed to createCipheriv',
      () => {
        const c = createCipheriv(s.aead as CipherGCMTypes, rawKey, nonce, { authTagLength: TAG });
        c.setAAD(aad);
        out.set(c.update(plaintext), 0);
        c.final();
        out.set(c.getAuthTag(), PAYLOAD);
      },
      BENCH,
    );
    bench(
      'open',
      () => {
        aeadKey.open(nonce, aad, sealed, out, 0);
      },
      BENCH,
    );
    bench(
      'open of a forged packet (-1)',
      () => {
        aeadKey.open(nonce, aad, forged, out, 0);
      },
      BENCH,
    );
    const keyObject = createSecretKey(key);
    bench(
      'baseline: open of a forged packet, stack trace captured on the thrown error',
      () => {
        const d = createDecipheriv(s.aead as CipherGCMTypes, keyObject, nonce, { authTagLength: TAG });
        d.setAuthTag(forged.subarray(PAYLOAD));
        d.setAAD(aad);
        d.update(forged.subarray(0, PAYLOAD));
        try {
          d.final();
        } catch {
          // expected
        }
      },
      BENCH,
    );
  });

  const hpKey = provider.createHeaderProtectionKey(s.hp, key);
  const sample = provider.randomBytes(16);
  const mask = new Uint8Array(5);
  describe(`${s.name} header protection mask`, () => {
    bench(
      'mask (long-lived key object)',
      () => {
        hpKey.mask(sample, mask);
      },
      BENCH,
    );
    if (s.hp !== 'chacha20') {
      bench(
        'baseline: a new ECB cipher per packet',
        () => {
          const ecb = createCipheriv(s.hp, rawKey, null);
          ecb.setAutoPadding(false);
          const block = ecb.update(sample);
          mask.set(block.subarray(0, 5));
        },
        BENCH,
      );
    } else {
      const zeros = new Uint8Array(5);
      bench(
        'baseline: node chacha20 cipher per packet (IV = sample)',
        () => {
          mask.set(createCipheriv('chacha20', rawKey, sample).update(zeros));
        },
        BENCH,
      );
    }
  });

  const secret = provider.randomBytes(s.secretLength);
  const writer = protection.fromSecret(QuicVersion.V1, s.suite, secret);
  const reader = protection.fromSecret(QuicVersion.V1, s.suite, secret);
  const template = new Uint8Array(PACKET);
  template[0] = 0x43; // short header, 4-byte packet number
  template.set(provider.randomBytes(8), 1);
  template.set(provider.randomBytes(PAYLOAD), HEADER);
  /** A protected copy of the template (packet number 0), for the receive path. */
  const packet = new Uint8Array(PACKET);
  const scratch = new Uint8Array(PACKET);
  const received = new Uint8Array(PACKET);
  packet.set(template);
  writer.protect(packet, 0, 9, 4, 0, PACKET - TAG);
  describe(`${s.name} whole ${PACKET}-byte packet`, () => {
    bench(
      'protect (AEAD + header protection, in place)',
      () => {
        scratch.set(template);
        writer.protect(scratch, 0, 9, 4, 0, PACKET - TAG);
      },
      BENCH,
    );
    bench(
      'unprotectHeader + decrypt (in place)',
      () => {
        received.set(packet);
        if (reader.unprotectHeader(received, 0, 9, PACKET) !== 4) throw new Error('header protection');
        if (reader.decrypt(received, 0, HEADER, PACKET, 0) !== PACKET - TAG) throw new Error('decrypt');
      },
      BENCH,
    );
    bench(
      'baseline: copy the packet only',
      () => {
        received.set(packet);
      },
      BENCH,
    );
  });
}
