import { type AeadKey, ByteReader, type CipherSuite, type CryptoProvider } from '@fos/core';
import { fromLatin1, latin1 } from './wire/extension-codecs.js';
import { TlsWriter } from './wire/tls-writer.js';

/** What the server seals into a ticket (RFC 8446 §4.6.1: "a self-encrypted and self-authenticated value"). */
export interface TicketState {
  readonly cipherSuite: CipherSuite;
  readonly psk: Uint8Array;
  readonly issuedAtEpochMs: number;
  readonly lifetimeSeconds: number;
  readonly ageAdd: number;
  readonly maxEarlyDataSize: number;
  readonly alpnProtocol: string | undefined;
  readonly serverName: string | undefined;
  readonly applicationData: Uint8Array | undefined;
}

/** An opened ticket plus a unique id (for single-use anti-replay, RFC 8446 §8.1). */
export interface OpenedTicket extends TicketState {
  readonly id: string;
}

const FORMAT_VERSION = 1;
const KEY_ID_LENGTH = 4;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;

interface TicketKey {
  readonly id: Uint8Array;
  readonly aead: AeadKey;
  readonly createdAtEpochMs: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[bOffset + i]) return false;
  return true;
}

/**
 * Seals and opens session tickets with AES-256-GCM under a rotating key (RFC 8446 §4.6.1, §C.4). A ticket is
 * `key_id(4) ‖ nonce(12) ‖ AEAD(state) ‖ tag(16)`, with the key id as associated data. Keys are kept for
 * `rotationMs + lifetime` so every unexpired ticket stays decryptable.
 */
export class TicketProtector {
  private readonly keys: TicketKey[] = [];
  private readonly fixed: boolean;

  constructor(
    private readonly provider: CryptoProvider,
    private readonly rotationMs: number,
    private readonly retainMs: number,
    fixedKeys?: readonly Uint8Array[],
  ) {
    this.fixed = fixedKeys !== undefined && fixedKeys.length > 0;
    if (fixedKeys) {
      for (const k of fixedKeys) {
        if (k.length !== KEY_LENGTH) throw new RangeError(`ticket keys are ${KEY_LENGTH} bytes`);
        this.keys.push({
          id: provider.digest('sha256', k).slice(0, KEY_ID_LENGTH),
          aead: provider.createAeadKey('aes-256-gcm', k),
          createdAtEpochMs: 0,
        });
      }
    }
  }

  /** Encrypts `state` under the current key (rotating first when it is due). */
  seal(state: TicketState, epochMs: number): Uint8Array {
    const key = this.currentKey(epochMs);
    const plain = encodeTicketState(state);
    const out = new Uint8Array(KEY_ID_LENGTH + NONCE_LENGTH + plain.length + TAG_LENGTH);
    out.set(key.id, 0);
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    out.set(nonce, KEY_ID_LENGTH);
    key.aead.seal(nonce, key.id, plain, out, KEY_ID_LENGTH + NONCE_LENGTH);
    return out;
  }

  /** Decrypts a ticket this server issued; undefined for anything else (unknown key, forged, malformed). */
  open(ticket: Uint8Array): OpenedTicket | undefined {
    if (ticket.length < KEY_ID_LENGTH + NONCE_LENGTH + TAG_LENGTH + 1) return undefined;
    const key = this.keys.find((k) => sameBytes(k.id, ticket, 0));
    if (key === undefined) return undefined;
    const nonce = ticket.subarray(KEY_ID_LENGTH, KEY_ID_LENGTH + NONCE_LENGTH);
    const sealed = ticket.subarray(KEY_ID_LENGTH + NONCE_LENGTH);
    const plain = new Uint8Array(sealed.length - TAG_LENGTH);
    if (key.aead.open(nonce, key.id, sealed, plain, 0) < 0) return undefined;
    const state = decodeTicketState(plain);
    if (state === undefined) return undefined;
    return { ...state, id: Buffer.from(ticket.subarray(0, KEY_ID_LENGTH + NONCE_LENGTH)).toString('hex') };
  }

  private currentKey(epochMs: number): TicketKey {
    const newest = this.keys[0];
    if (this.fixed) return newest;
    if (
      newest === undefined ||
      epochMs - newest.createdAtEpochMs >= this.rotationMs ||
      epochMs < newest.createdAtEpochMs
    ) {
      const material = this.provider.randomBytes(KEY_LENGTH);
      const key: TicketKey = {
        id: this.provider.randomBytes(KEY_ID_LENGTH),
        aead: this.provider.createAeadKey('aes-256-gcm', material),
        createdAtEpochMs: epochMs,
      };
      this.keys.unshift(key);
      // Retire keys whose every ticket has expired.
      while (this.keys.length > 1 && epochMs - this.keys[this.keys.length - 1].createdAtEpochMs > this.retainMs) {
        this.keys.pop();
      }
      return key;
    }
    return newest;
  }
}

function encodeTicketState(s: TicketState): Uint8Array {
  const w = new TlsWriter(128);
  w.u8(FORMAT_VERSION).u16(s.cipherSuite);
  w.u32(Math.floor(s.issuedAtEpochMs / 0x1_0000_0000)).u32(s.issuedAtEpochMs >>> 0);
  w.u32(s.lifetimeSeconds)
    .u32(s.ageAdd >>> 0)
    .u32(s.maxEarlyDataSize >>> 0);
  w.vector(1, s.psk);
  w.vector(1, fromLatin1(s.alpnProtocol ?? ''));
  w.vector(2, fromLatin1(s.serverName ?? ''));
  w.u8(s.applicationData === undefined ? 0 : 1);
  w.vector(2, s.applicationData ?? new Uint8Array(0));
  return w.finish();
}

function decodeTicketState(plain: Uint8Array): TicketState | undefined {
  try {
    const r = new ByteReader(plain);
    if (r.u8() !== FORMAT_VERSION) return undefined;
    const cipherSuite = r.u16() as CipherSuite;
    const issuedAtEpochMs = r.u32() * 0x1_0000_0000 + r.u32();
    const lifetimeSeconds = r.u32();
    const ageAdd = r.u32();
    const maxEarlyDataSize = r.u32();
    const psk = r.bytes(r.u8()).slice();
    const alpn = latin1(r.bytes(r.u8()));
    const sni = latin1(r.bytes(r.u16()));
    const hasAppData = r.u8() === 1;
    const appData = r.bytes(r.u16()).slice();
    if (!r.done) return undefined;
    return {
      cipherSuite,
      psk,
      issuedAtEpochMs,
      lifetimeSeconds,
      ageAdd,
      maxEarlyDataSize,
      alpnProtocol: alpn === '' ? undefined : alpn,
      serverName: sni === '' ? undefined : sni,
      applicationData: hasAppData ? appData : undefined,
    };
  } catch {
    return undefined;
  }
}
