// RFC 9001 §5 / RFC 9369 §3.3: the QuicPacketProtection factory on top of any CryptoProvider.
import {
  AEAD_TAG_LENGTH,
  type AeadKey,
  type AeadLimits,
  CipherSuite,
  type CryptoProvider,
  type PacketProtector,
  type PacketProtectorPair,
  type QuicPacketProtection,
  type QuicVersion,
} from '@fos/core';
import { hkdfExpandLabel } from '../hkdf-label.js';
import { AeadPacketProtector } from './aead-packet-protector.js';
import { cipherSuiteParams } from './cipher-suite-params.js';
import { type QuicVersionParams, quicVersionParams } from './quic-version-params.js';

const EMPTY = new Uint8Array(0);
/** RFC 9000 §17.2: a QUIC v1 (and v2) connection ID is at most 20 bytes. */
const MAX_CID_LENGTH = 20;

function versionParams(version: number): QuicVersionParams {
  const params = quicVersionParams(version);
  if (params === undefined) throw new RangeError(`QUIC version 0x${version.toString(16)} is not supported`);
  return params;
}

/**
 * QUIC v1/v2 packet protection built on a {@link CryptoProvider} (the default `NodeCryptoProvider` or one the user
 * registers): Initial keys from the connection ID, Handshake/0-RTT/1-RTT keys from TLS secrets, key updates and
 * Retry integrity tags. Stateless apart from the two cached Retry AEAD keys.
 */
export class CryptoPacketProtection implements QuicPacketProtection {
  private readonly provider: CryptoProvider;
  private readonly retryKeys = new Map<QuicVersion, AeadKey>();

  constructor(provider: CryptoProvider) {
    this.provider = provider;
  }

  supportsVersion(version: number): version is QuicVersion {
    return quicVersionParams(version) !== undefined;
  }

  initial(
    version: QuicVersion,
    clientDestinationConnectionId: Uint8Array,
    role: 'client' | 'server',
  ): PacketProtectorPair {
    const labels = versionParams(version);
    // RFC 9001 §5.2 (RFC 9369 §3.3.1 salt): Initial packets use AEAD_AES_128_GCM with SHA-256.
    const suite = cipherSuiteParams(CipherSuite.TLS_AES_128_GCM_SHA256);
    const initialSecret = this.provider.hkdfExtract(suite.hash, labels.initialSalt, clientDestinationConnectionId);
    const client = hkdfExpandLabel(this.provider, suite.hash, initialSecret, 'client in', EMPTY, suite.hashLength);
    const server = hkdfExpandLabel(this.provider, suite.hash, initialSecret, 'server in', EMPTY, suite.hashLength);
    const clientProtector = new AeadPacketProtector(this.provider, suite, labels, client);
    const serverProtector = new AeadPacketProtector(this.provider, suite, labels, server);
    return role === 'client'
      ? { read: serverProtector, write: clientProtector }
      : { read: clientProtector, write: serverProtector };
  }

  fromSecret(version: QuicVersion, cipherSuite: CipherSuite, secret: Uint8Array): PacketProtector {
    return new AeadPacketProtector(this.provider, cipherSuiteParams(cipherSuite), versionParams(version), secret);
  }

  retryIntegrityTag(
    version: QuicVersion,
    originalDestinationConnectionId: Uint8Array,
    retryWithoutTag: Uint8Array,
  ): Uint8Array {
    const pseudo = retryPseudoPacket(originalDestinationConnectionId, retryWithoutTag, retryWithoutTag.length);
    const tag = new Uint8Array(AEAD_TAG_LENGTH);
    // RFC 9001 §5.8: the tag is AEAD_AES_128_GCM over an empty plaintext with the pseudo-packet as AAD.
    this.retryKey(version).seal(versionParams(version).retryNonce, pseudo, EMPTY, tag, 0);
    return tag;
  }

  verifyRetryIntegrity(
    version: QuicVersion,
    originalDestinationConnectionId: Uint8Array,
    retryPacket: Uint8Array,
  ): boolean {
    const params = quicVersionParams(version);
    if (params === undefined || retryPacket.length < AEAD_TAG_LENGTH) return false;
    if (originalDestinationConnectionId.length > MAX_CID_LENGTH) return false;
    const bodyLength = retryPacket.length - AEAD_TAG_LENGTH;
    const pseudo = retryPseudoPacket(originalDestinationConnectionId, retryPacket, bodyLength);
    return this.retryKey(version).open(params.retryNonce, pseudo, retryPacket.subarray(bodyLength), EMPTY, 0) === 0;
  }

  aeadLimits(cipherSuite: CipherSuite): AeadLimits {
    return cipherSuiteParams(cipherSuite).limits;
  }

  private retryKey(version: QuicVersion): AeadKey {
    let key = this.retryKeys.get(version);
    if (key === undefined) {
      key = this.provider.createAeadKey('aes-128-gcm', versionParams(version).retryKey);
      this.retryKeys.set(version, key);
    }
    return key;
  }
}

/**
 * RFC 9001 §5.8 Figure 8: ODCID Length (8) ‖ Original Destination Connection ID ‖ the Retry packet without its tag.
 */
function retryPseudoPacket(odcid: Uint8Array, retry: Uint8Array, retryLength: number): Uint8Array {
  if (odcid.length > MAX_CID_LENGTH) {
    throw new RangeError(`a connection ID is at most ${MAX_CID_LENGTH} bytes, got ${odcid.length}`);
  }
  const pseudo = new Uint8Array(1 + odcid.length + retryLength);
  pseudo[0] = odcid.length;
  pseudo.set(odcid, 1);
  pseudo.set(retry.subarray(0, retryLength), 1 + odcid.length);
  return pseudo;
}

/** The RFC 9001 §5.8 / RFC 9369 §3.3.3 derivation of the Retry key and nonce from the published secret. */
export function deriveRetryKeyAndNonce(
  provider: CryptoProvider,
  version: QuicVersion,
  secret: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const labels = versionParams(version);
  return {
    key: hkdfExpandLabel(provider, 'sha256', secret, labels.keyLabel, EMPTY, 16),
    nonce: hkdfExpandLabel(provider, 'sha256', secret, labels.ivLabel, EMPTY, 12),
  };
}
