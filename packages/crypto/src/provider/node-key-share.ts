// RFC 8446 §4.2.8 / §7.4: ephemeral (EC)DHE key shares for x25519, secp256r1 and secp384r1 with node:crypto.
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type ECDH,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { type KeyShare, NamedGroup, TransportError } from '@fos/core';
import { UnsupportedAlgorithmError } from './errors.js';

/** RFC 8446 §6.2 alert illegal_parameter (47). */
const ALERT_ILLEGAL_PARAMETER = 47;

function invalidShare(group: string, reason: string, cause?: unknown): TransportError {
  return TransportError.fromTlsAlert(ALERT_ILLEGAL_PARAMETER, `invalid ${group} key share: ${reason}`, { cause });
}

/** RFC 7748 §5: X25519 keys and outputs are 32 bytes. */
const X25519_LENGTH = 32;
/** PKCS#8 PrivateKeyInfo header for an X25519 key (RFC 8410 §7): version 0, id-X25519, OCTET STRING(32). */
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * An X25519 key share (RFC 8446 §4.2.8.2: the raw 32-byte public key). The peer's key is imported as a JWK, which
 * node parses far faster than DER.
 */
export class X25519KeyShare implements KeyShare {
  readonly group = NamedGroup.x25519;
  readonly publicKey: Uint8Array;
  private readonly privateKey: KeyObject;

  constructor(privateKey?: Uint8Array) {
    if (privateKey === undefined) {
      this.privateKey = generateKeyPairSync('x25519').privateKey;
    } else {
      if (privateKey.length !== X25519_LENGTH) throw new RangeError('an X25519 private key is 32 bytes');
      const der = new Uint8Array(X25519_PKCS8_PREFIX.length + X25519_LENGTH);
      der.set(X25519_PKCS8_PREFIX, 0);
      der.set(privateKey, X25519_PKCS8_PREFIX.length);
      this.privateKey = createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
    }
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    this.publicKey = Buffer.from(jwk.x as string, 'base64url');
  }

  deriveSecret(peerPublicKey: Uint8Array): Uint8Array {
    // RFC 8446 §4.2.8.2: the X25519 key_exchange is exactly 32 bytes.
    if (peerPublicKey.length !== X25519_LENGTH) throw invalidShare('x25519', `length ${peerPublicKey.length}`);
    let secret: Uint8Array;
    try {
      const peer = createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peerPublicKey).toString('base64url') },
        format: 'jwk',
      });
      secret = diffieHellman({ privateKey: this.privateKey, publicKey: peer });
    } catch (cause) {
      // OpenSSL refuses low-order points (an all-zero result) during derivation.
      throw invalidShare('x25519', 'key agreement failed', cause);
    }
    // RFC 8446 §7.4.2: abort when the X25519 shared secret is all zeros (checked here as well, whatever OpenSSL does).
    let acc = 0;
    for (let i = 0; i < secret.length; i++) acc |= secret[i];
    if (acc === 0) throw invalidShare('x25519', 'all-zero shared secret');
    return secret;
  }
}

interface CurveInfo {
  readonly name: 'secp256r1' | 'secp384r1';
  readonly opensslName: string;
  readonly group: NamedGroup;
  readonly coordinateLength: number;
  /** The field prime p, big-endian (SEC 2 §2.4.2, §2.5.1). */
  readonly prime: Uint8Array;
}

const P256: CurveInfo = {
  name: 'secp256r1',
  opensslName: 'prime256v1',
  group: NamedGroup.secp256r1,
  coordinateLength: 32,
  prime: Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex'),
};
const P384: CurveInfo = {
  name: 'secp384r1',
  opensslName: 'secp384r1',
  group: NamedGroup.secp384r1,
  coordinateLength: 48,
  prime: Buffer.from(
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    'hex',
  ),
};

/** Whether the big-endian integer at `bytes[offset..offset+prime.length)` is below `prime`. */
function lessThan(bytes: Uint8Array, offset: number, prime: Uint8Array): boolean {
  for (let i = 0; i < prime.length; i++) {
    const a = bytes[offset + i];
    const b = prime[i];
    if (a !== b) return a < b;
  }
  return false;
}

/**
 * An ECDHE key share on secp256r1 or secp384r1 (RFC 8446 §4.2.8.2: UncompressedPointRepresentation, 0x04 ‖ X ‖ Y).
 * The peer's point is validated (RFC 8446 §4.2.8.2: "MUST" check it is on the curve): the form byte, the length,
 * both coordinates below p, then OpenSSL's on-curve check; the point at infinity has no uncompressed encoding and
 * a shared point at infinity makes OpenSSL fail. The shared secret is the fixed-length x-coordinate (§7.4.2).
 */
export class EcdhKeyShare implements KeyShare {
  readonly group: NamedGroup;
  readonly publicKey: Uint8Array;
  private readonly ecdh: ECDH;
  private readonly curve: CurveInfo;

  constructor(curve: CurveInfo, privateKey?: Uint8Array) {
    this.curve = curve;
    this.group = curve.group;
    this.ecdh = createECDH(curve.opensslName);
    if (privateKey === undefined) this.ecdh.generateKeys();
    else {
      if (privateKey.length !== curve.coordinateLength) {
        throw new RangeError(`a ${curve.name} private key is ${curve.coordinateLength} bytes`);
      }
      this.ecdh.setPrivateKey(privateKey);
    }
    this.publicKey = this.ecdh.getPublicKey(null, 'uncompressed');
  }

  deriveSecret(peerPublicKey: Uint8Array): Uint8Array {
    const n = this.curve.coordinateLength;
    if (peerPublicKey.length !== 1 + 2 * n) throw invalidShare(this.curve.name, `length ${peerPublicKey.length}`);
    // RFC 8446 §4.2.8.2: legacy_form = 4 (uncompressed); compressed points are not allowed in TLS 1.3.
    if (peerPublicKey[0] !== 0x04) throw invalidShare(this.curve.name, 'not an uncompressed point');
    if (!lessThan(peerPublicKey, 1, this.curve.prime) || !lessThan(peerPublicKey, 1 + n, this.curve.prime)) {
      throw invalidShare(this.curve.name, 'coordinate out of range');
    }
    try {
      return this.ecdh.computeSecret(peerPublicKey);
    } catch (cause) {
      throw invalidShare(this.curve.name, 'point not on the curve', cause);
    }
  }
}

/**
 * A key share for `group`: freshly generated, or from a known private key (raw X25519 scalar, or the big-endian EC
 * private scalar) — the latter exists for reproducing published traces such as RFC 8448.
 */
export function createKeyShare(group: NamedGroup, privateKey?: Uint8Array): KeyShare {
  switch (group) {
    case NamedGroup.x25519:
      return new X25519KeyShare(privateKey);
    case NamedGroup.secp256r1:
      return new EcdhKeyShare(P256, privateKey);
    case NamedGroup.secp384r1:
      return new EcdhKeyShare(P384, privateKey);
    default:
      throw new UnsupportedAlgorithmError('group', group);
  }
}
