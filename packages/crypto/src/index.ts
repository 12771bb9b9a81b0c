// @fos/crypto — the node:crypto CryptoProvider, HKDF-Expand-Label, QUIC packet protection (v1 and v2), the key log,
// and (part B) the TLS 1.3 engine for QUIC and certificate verification.

export { deriveSecret, emptyTranscriptHash, encodeHkdfLabel, hkdfExpandLabel } from './hkdf-label.js';
export {
  createKeyLogFileWriter,
  formatKeyLogLine,
  type KeyLogEntry,
  type KeyLogFile,
  KeyLogFormatError,
  KeyLogLabel,
  type KeyLogWriter,
  parseKeyLog,
  parseKeyLogLine,
} from './keylog/index.js';
export { CryptoPacketProtection } from './protection/crypto-packet-protection.js';
export { UnsupportedAlgorithmError, type UnsupportedAlgorithmKind } from './provider/errors.js';
export { NodeCryptoProvider } from './provider/node-crypto-provider.js';
export { type CryptoOptions, registerCrypto } from './register.js';
// Part B: the TLS 1.3 engine and certificate verification.
export * from './tls/index.js';
export * from './x509/index.js';
