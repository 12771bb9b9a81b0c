// RFC 8446 §7.1 key schedule, §4.4.4 Finished, §4.6.1 resumption PSK and §7.5 exporters, on top of any
// CryptoProvider and part A's HKDF-Expand-Label.
import type { CryptoProvider, HashAlgorithm } from '@fos/core';
import { deriveSecret, emptyTranscriptHash, hkdfExpandLabel } from '../hkdf-label.js';

/**
 * The secrets of one handshake, stage by stage (RFC 8446 §7.1):
 *
 * ```
 * PSK or 0 → HKDF-Extract(0, ·) = Early Secret → Derive-Secret(., "derived", "")
 * (EC)DHE  → HKDF-Extract(., ·) = Handshake Secret → Derive-Secret(., "derived", "")
 * 0        → HKDF-Extract(., ·) = Master Secret
 * ```
 */
export class KeySchedule {
  readonly hashLength: number;
  readonly earlySecret: Uint8Array;
  private handshake: Uint8Array | undefined;
  private master: Uint8Array | undefined;
  private readonly zeros: Uint8Array;

  /** Starts the schedule with the PSK (resumption) or none (RFC 8446 §7.1: a string of Hash.length zeros). */
  constructor(
    private readonly provider: CryptoProvider,
    readonly hash: HashAlgorithm,
    psk?: Uint8Array,
  ) {
    this.hashLength = provider.hashLength(hash);
    this.zeros = new Uint8Array(this.hashLength);
    // RFC 8446 §7.1: the salt of the first HKDF-Extract is 0 (Hash.length zero bytes).
    this.earlySecret = provider.hkdfExtract(hash, this.zeros, psk ?? this.zeros);
  }

  /** Derive-Secret(Secret, Label, Messages) with `transcriptHash` = Transcript-Hash(Messages). */
  derive(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.hash, secret, label, transcriptHash);
  }

  /** RFC 8446 §7.1 binder_key = Derive-Secret(Early Secret, "res binder" | "ext binder", ""). */
  binderKey(external = false): Uint8Array {
    return this.derive(this.earlySecret, external ? 'ext binder' : 'res binder', this.emptyHash());
  }

  /** RFC 8446 §7.1 client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.derive(this.earlySecret, 'c e traffic', clientHelloHash);
  }

  /** RFC 8446 §7.1 early_exporter_master_secret. */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.derive(this.earlySecret, 'e exp master', clientHelloHash);
  }

  /** RFC 8446 §7.1: Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). */
  deriveHandshakeSecret(sharedSecret: Uint8Array): Uint8Array {
    const salt = this.derive(this.earlySecret, 'derived', this.emptyHash());
    this.handshake = this.provider.hkdfExtract(this.hash, salt, sharedSecret);
    return this.handshake;
  }

  get handshakeSecret(): Uint8Array {
    if (this.handshake === undefined) throw new Error('handshake secret not derived yet');
    return this.handshake;
  }

  /** RFC 8446 §7.1 [sender]_handshake_traffic_secret over ClientHello...ServerHello. */
  clientHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.handshakeSecret, 'c hs traffic', transcriptHash);
  }

  serverHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.handshakeSecret, 's hs traffic', transcriptHash);
  }

  /** RFC 8446 §7.1: Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
  deriveMasterSecret(): Uint8Array {
    const salt = this.derive(this.handshakeSecret, 'derived', this.emptyHash());
    this.master = this.provider.hkdfExtract(this.hash, salt, this.zeros);
    return this.master;
  }

  get masterSecret(): Uint8Array {
    if (this.master === undefined) throw new Error('master secret not derived yet');
    return this.master;
  }

  /** RFC 8446 §7.1 [sender]_application_traffic_secret_0 over ClientHello...server Finished. */
  clientApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.masterSecret, 'c ap traffic', transcriptHash);
  }

  serverApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.masterSecret, 's ap traffic', transcriptHash);
  }

  /** RFC 8446 §7.1 exporter_master_secret over ClientHello...server Finished. */
  exporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.masterSecret, 'exp master', transcriptHash);
  }

  /** RFC 8446 §7.1 resumption_master_secret over ClientHello...client Finished. */
  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive(this.masterSecret, 'res master', transcriptHash);
  }

  /** RFC 8446 §4.4.4 finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
  finishedKey(baseKey: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.provider, this.hash, baseKey, 'finished', new Uint8Array(0), this.hashLength);
  }

  /** RFC 8446 §4.4.4 verify_data = HMAC(finished_key, Transcript-Hash(...)); also the PSK binder (§4.2.11.2). */
  verifyData(baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
    return this.provider.hmac(this.hash, this.finishedKey(baseKey), transcriptHash);
  }

  private emptyHash(): Uint8Array {
    return emptyTranscriptHash(this.provider, this.hash);
  }
}

/** RFC 8446 §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, resumptionMasterSecret, 'resumption', ticketNonce, provider.hashLength(hash));
}

/**
 * RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
 */
export function exportKeyingMaterial(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  exporterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const secret = deriveSecret(provider, hash, exporterSecret, label, emptyTranscriptHash(provider, hash));
  return hkdfExpandLabel(provider, hash, secret, 'exporter', provider.digest(hash, context), length);
}

/** Constant-time equality of two byte strings (Finished and binder checks). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i] ^ b[i];
  return acc === 0;
}
