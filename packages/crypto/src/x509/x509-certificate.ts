// The parts of an X.509 v3 certificate (RFC 5280 §4.1) that TLS certificate verification needs, read with a
// minimal DER walker. Signatures are checked with node:crypto (see chain-verifier.ts).
import {
  children,
  content,
  DerError,
  DerTag,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  expectTag,
  raw,
  readElement,
} from './der.js';

export const Oid = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  certificatePolicies: '2.5.29.32',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ctPrecertificateScts: '1.3.6.1.4.1.11129.2.4.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** RFC 5280 §4.2.1.3 KeyUsage bits (bit 0 = digitalSignature). */
export const KeyUsageBit = { digitalSignature: 0, keyCertSign: 5 } as const;

/** Extensions this verifier understands (a critical extension outside this set makes a certificate unusable). */
const KNOWN_EXTENSIONS = new Set<string>([
  Oid.basicConstraints,
  Oid.keyUsage,
  Oid.extKeyUsage,
  Oid.subjectAltName,
  Oid.subjectKeyIdentifier,
  Oid.authorityKeyIdentifier,
  Oid.certificatePolicies,
  Oid.crlDistributionPoints,
  Oid.authorityInfoAccess,
  Oid.ctPrecertificateScts,
]);

/** Signature algorithms RFC 8446 §4.4.2.4 says to refuse in chains (MD2, MD5, SHA-1). */
const WEAK_SIGNATURE_OIDS = new Set<string>([
  '1.2.840.113549.1.1.2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.4', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3', // dsa-with-sha1
]);

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly version: number;
  readonly signatureAlgorithm: string;
  /** DER of the issuer / subject Name (compared byte-wise for chaining). */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined } | undefined;
  /** Bit i set = KeyUsage bit i asserted; undefined without the extension. */
  readonly keyUsage: number | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
  readonly dnsNames: readonly string[];
  /** iPAddress SANs (4 or 16 bytes). */
  readonly ipAddresses: readonly Uint8Array[];
  readonly unknownCriticalExtensions: readonly string[];
  readonly weakSignature: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isSelfIssued(c: ParsedCertificate): boolean {
  return sameBytes(c.issuer, c.subject);
}

export { sameBytes };

/** Parses a DER certificate; throws DerError when it is not one. */
export function parseX509(der: Uint8Array): ParsedCertificate {
  const cert = expectTag(readElement(der, 0, der.length), DerTag.sequence, 'Certificate');
  if (cert.end !== der.length) throw new DerError('DER: trailing bytes after Certificate');
  const [tbsEl, sigAlgEl, sigEl] = children(der, cert);
  if (sigEl === undefined) throw new DerError('DER: Certificate needs 3 elements');
  expectTag(tbsEl, DerTag.sequence, 'tbsCertificate');
  expectTag(sigAlgEl, DerTag.sequence, 'signatureAlgorithm');
  expectTag(sigEl, DerTag.bitString, 'signatureValue');
  const algOid = children(der, sigAlgEl)[0];
  if (algOid === undefined) throw new DerError('DER: empty AlgorithmIdentifier');
  const signatureAlgorithm = decodeOid(content(der, expectTag(algOid, DerTag.oid, 'algorithm')));

  const tbs = children(der, tbsEl);
  let i = 0;
  let version = 1;
  if (tbs[i]?.tag === 0xa0) {
    const v = children(der, tbs[i])[0];
    if (v === undefined) throw new DerError('DER: empty version');
    version = decodeSmallInteger(content(der, expectTag(v, DerTag.integer, 'version'))) + 1;
    i++;
  }
  expectTag(tbs[i++] ?? fail('serialNumber'), DerTag.integer, 'serialNumber');
  expectTag(tbs[i++] ?? fail('signature'), DerTag.sequence, 'signature');
  const issuer = raw(der, expectTag(tbs[i++] ?? fail('issuer'), DerTag.sequence, 'issuer'));
  const validity = children(der, expectTag(tbs[i++] ?? fail('validity'), DerTag.sequence, 'validity'));
  if (validity.length !== 2) throw new DerError('DER: Validity needs 2 times');
  const notBeforeMs = decodeTime(validity[0].tag, content(der, validity[0]));
  const notAfterMs = decodeTime(validity[1].tag, content(der, validity[1]));
  const subject = raw(der, expectTag(tbs[i++] ?? fail('subject'), DerTag.sequence, 'subject'));
  const spki = raw(der, expectTag(tbs[i++] ?? fail('subjectPublicKeyInfo'), DerTag.sequence, 'subjectPublicKeyInfo'));

  let basicConstraints: ParsedCertificate['basicConstraints'];
  let keyUsage: number | undefined;
  let extKeyUsage: string[] | undefined;
  const dnsNames: string[] = [];
  const ipAddresses: Uint8Array[] = [];
  const unknownCriticalExtensions: string[] = [];
  for (; i < tbs.length; i++) {
    if (tbs[i].tag !== 0xa3) continue; // issuerUniqueID [1] / subjectUniqueID [2] are ignored
    const list = children(der, tbs[i])[0];
    if (list === undefined) throw new DerError('DER: empty extensions');
    const seen = new Set<string>();
    for (const ext of children(der, expectTag(list, DerTag.sequence, 'Extensions'))) {
      const parts = children(der, expectTag(ext, DerTag.sequence, 'Extension'));
      const oid = decodeOid(content(der, expectTag(parts[0] ?? fail('extnID'), DerTag.oid, 'extnID')));
      // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (seen.has(oid)) throw new DerError(`DER: duplicate extension ${oid}`);
      seen.add(oid);
      let critical = false;
      let valueEl = parts[1];
      if (valueEl?.tag === DerTag.boolean) {
        critical = content(der, valueEl)[0] !== 0;
        valueEl = parts[2];
      }
      const value = content(der, expectTag(valueEl ?? fail('extnValue'), DerTag.octetString, 'extnValue'));
      if (critical && !KNOWN_EXTENSIONS.has(oid)) unknownCriticalExtensions.push(oid);
      if (oid === Oid.basicConstraints) basicConstraints = parseBasicConstraints(value);
      else if (oid === Oid.keyUsage) keyUsage = parseKeyUsage(value);
      else if (oid === Oid.extKeyUsage) extKeyUsage = parseExtKeyUsage(value);
      else if (oid === Oid.subjectAltName) parseSubjectAltName(value, dnsNames, ipAddresses);
    }
  }
  return {
    der,
    version,
    signatureAlgorithm,
    issuer,
    subject,
    notBeforeMs,
    notAfterMs,
    spki,
    basicConstraints,
    keyUsage,
    extKeyUsage,
    dnsNames,
    ipAddresses,
    unknownCriticalExtensions,
    weakSignature: WEAK_SIGNATURE_OIDS.has(signatureAlgorithm),
  };
}

function fail(what: string): never {
  throw new DerError(`DER: missing ${what}`);
}

/** RFC 5280 §4.2.1.9 `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`. */
function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLength: number | undefined } {
  const seq = expectTag(readElement(value, 0, value.length), DerTag.sequence, 'BasicConstraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const el of children(value, seq)) {
    if (el.tag === DerTag.boolean) ca = content(value, el)[0] !== 0;
    else if (el.tag === DerTag.integer) pathLength = decodeSmallInteger(content(value, el));
  }
  return { ca, pathLength };
}

/** RFC 5280 §4.2.1.3 `KeyUsage ::= BIT STRING`: bit i of the result = named bit i. */
function parseKeyUsage(value: Uint8Array): number {
  const bits = content(value, expectTag(readElement(value, 0, value.length), DerTag.bitString, 'KeyUsage'));
  if (bits.length < 1) throw new DerError('DER: empty KeyUsage');
  let out = 0;
  for (let byte = 1; byte < bits.length && byte <= 2; byte++) {
    for (let bit = 0; bit < 8; bit++) if (bits[byte] & (0x80 >> bit)) out |= 1 << ((byte - 1) * 8 + bit);
  }
  return out;
}

/** RFC 5280 §4.2.1.12 `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`. */
function parseExtKeyUsage(value: Uint8Array): string[] {
  const seq = expectTag(readElement(value, 0, value.length), DerTag.sequence, 'ExtKeyUsage');
  return children(value, seq).map((el) => decodeOid(content(value, expectTag(el, DerTag.oid, 'KeyPurposeId'))));
}

/** RFC 5280 §4.2.1.6 GeneralNames: dNSName [2] IA5String and iPAddress [7] OCTET STRING. */
function parseSubjectAltName(value: Uint8Array, dnsNames: string[], ips: Uint8Array[]): void {
  const seq = expectTag(readElement(value, 0, value.length), DerTag.sequence, 'SubjectAltName');
  for (const el of children(value, seq)) {
    if (el.tag === 0x82) {
      const b = content(value, el);
      let s = '';
      for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
      dnsNames.push(s);
    } else if (el.tag === 0x87) {
      ips.push(content(value, el).slice());
    }
  }
}
