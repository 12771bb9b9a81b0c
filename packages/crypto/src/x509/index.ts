export { CertificateError, CertificateErrorCode } from './certificate-error.js';
export {
  type CertOptions,
  createCa,
  createIntermediate,
  createLeaf,
  createSelfSignedLeaf,
  type GeneratedCertificate,
  generateSelfSignedCertificate,
  type Issuer,
  type KeyKind,
  keyPem,
  type Leaf,
  type SelfSignedOptions,
  spkiSha256,
} from './certificate-generator.js';
export type { CertificateVerifier, CertificateVerifyRequest } from './certificate-verifier.js';
export { type CertificateVerifierOptions, ChainVerifier } from './chain-verifier.js';
export { DerError } from './der.js';
export { certificateMatchesHost, dnsNameMatches, parseIpAddress } from './hostname.js';
export { PemError, pemCertificates, toDerCertificates } from './pem.js';
export { normalizePin, spkiPin } from './spki-pin.js';
export { type ParsedCertificate, parseX509 } from './x509-certificate.js';
