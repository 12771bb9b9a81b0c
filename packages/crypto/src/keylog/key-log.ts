// The NSS key log format (SSLKEYLOGFILE) for TLS 1.3 secrets, which Wireshark/tshark read to decrypt QUIC:
// one line "<label> <client_random hex> <secret hex>" per secret; lines starting with '#' are comments.
import { FosError } from '@fos/core';

/** The TLS 1.3 key log labels (RFC 8446 §7.1 secret names; NSS key log format). */
export const KeyLogLabel = {
  /** client_early_traffic_secret (0-RTT) */
  CLIENT_EARLY_TRAFFIC_SECRET: 'CLIENT_EARLY_TRAFFIC_SECRET',
  /** client_handshake_traffic_secret */
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  /** server_handshake_traffic_secret */
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  /** client_application_traffic_secret_0 */
  CLIENT_TRAFFIC_SECRET_0: 'CLIENT_TRAFFIC_SECRET_0',
  /** server_application_traffic_secret_0 */
  SERVER_TRAFFIC_SECRET_0: 'SERVER_TRAFFIC_SECRET_0',
  /** exporter_master_secret */
  EXPORTER_SECRET: 'EXPORTER_SECRET',
} as const;
export type KeyLogLabel = (typeof KeyLogLabel)[keyof typeof KeyLogLabel];

/**
 * Receives one key log line (without a line terminator). The TLS engine calls it once per secret; point it at
 * {@link createKeyLogFileWriter} for SSLKEYLOGFILE, or collect lines in tests.
 */
export type KeyLogWriter = (line: string) => void;

/** One parsed key log line. */
export interface KeyLogEntry {
  /** The label; one of {@link KeyLogLabel} for TLS 1.3, other NSS labels are passed through. */
  readonly label: string;
  /** The 32-byte ClientHello.random identifying the connection. */
  readonly clientRandom: Uint8Array;
  readonly secret: Uint8Array;
}

/** A malformed key log line (`line` is 1-based). */
export class KeyLogFormatError extends FosError {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`key log line ${line}: ${reason}`);
  }
}

/** RFC 8446 §4.1.2: ClientHello.random is 32 bytes. */
const CLIENT_RANDOM_LENGTH = 32;
/** TLS 1.3 secrets are Hash.length bytes: SHA-256 or SHA-384 for the cipher suites QUIC uses. */
const SECRET_LENGTHS: readonly number[] = [32, 48];
const LABEL_PATTERN = /^[A-Z][A-Z0-9_]*$/;
const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})+$/;

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Formats one key log line: `"<label> <client_random hex> <secret hex>"` (lowercase hex, no newline).
 * Throws RangeError when `clientRandom` is not 32 bytes.
 */
export function formatKeyLogLine(label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): string {
  if (clientRandom.length !== CLIENT_RANDOM_LENGTH) {
    throw new RangeError(`client random must be ${CLIENT_RANDOM_LENGTH} bytes, got ${clientRandom.length}`);
  }
  return `${label} ${toHex(clientRandom)} ${toHex(secret)}`;
}

/**
 * Parses one key log line. Returns undefined for blank lines and `#` comments; throws {@link KeyLogFormatError}
 * for anything else that is not `LABEL <64 hex digits> <64 or 96 hex digits>`.
 */
export function parseKeyLogLine(text: string, lineNumber = 1): KeyLogEntry | undefined {
  const line = text.trim();
  if (line.length === 0 || line.startsWith('#')) return undefined;
  const fields = line.split(/\s+/);
  if (fields.length !== 3) throw new KeyLogFormatError(lineNumber, `expected 3 fields, got ${fields.length}`);
  const [label, random, secret] = fields;
  if (!LABEL_PATTERN.test(label)) throw new KeyLogFormatError(lineNumber, 'bad label');
  if (random.length !== 2 * CLIENT_RANDOM_LENGTH || !HEX_PATTERN.test(random)) {
    throw new KeyLogFormatError(lineNumber, 'client random must be 64 hex digits');
  }
  if (!HEX_PATTERN.test(secret) || !SECRET_LENGTHS.includes(secret.length / 2)) {
    throw new KeyLogFormatError(lineNumber, 'secret must be 32 or 48 bytes of hex');
  }
  return {
    label,
    clientRandom: Uint8Array.from(Buffer.from(random, 'hex')),
    secret: Uint8Array.from(Buffer.from(secret, 'hex')),
  };
}

/** Parses a whole key log (e.g. an SSLKEYLOGFILE), skipping blank lines and comments. */
export function parseKeyLog(text: string): KeyLogEntry[] {
  const entries: KeyLogEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const entry = parseKeyLogLine(lines[i], i + 1);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
