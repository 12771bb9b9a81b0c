// Certificate path validation for TLS (RFC 5280 §6.1, profiled for RFC 8446 §4.4.2): path building to a trust
// anchor, validity periods, basicConstraints / pathLenConstraint, keyUsage / extendedKeyUsage, signatures on every
// link (node:crypto), host names (RFC 6125) and optional SPKI pins.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { CertificateError, CertificateErrorCode } from './certificate-error.js';
import type { CertificateVerifier, CertificateVerifyRequest } from './certificate-verifier.js';
import { certificateMatchesHost, certificateNames } from './hostname.js';
import { toDerCertificates } from './pem.js';
import { normalizePin, spkiPin } from './spki-pin.js';
import { isSelfIssued, KeyUsageBit, Oid, type ParsedCertificate, parseX509, sameBytes } from './x509-certificate.js';

/** Options of the built-in verifier. */
export interface CertificateVerifierOptions {
  /**
   * Trust anchors (PEM text and/or DER). Default: Node's bundled Mozilla store (`tls.rootCertificates`). A
   * self-signed end-entity certificate listed here is trusted as is.
   */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** `false` skips chain, validity and name checks (explicit opt-out; pins are still enforced). Default true. */
  readonly rejectUnauthorized?: boolean;
  /**
   * SPKI pins like curl's --pinnedpubkey: `sha256//<base64 of SHA-256(SubjectPublicKeyInfo)>` (the prefix is
   * optional). When set, the end-entity key must match one.
   */
  readonly pinnedPublicKeys?: readonly string[];
  /** Longest path accepted, end-entity and anchor included (default 10). */
  readonly maxPathLength?: number;
}

interface Anchor {
  readonly cert: ParsedCertificate;
  node: X509Certificate | undefined;
}

interface Candidate {
  readonly cert: ParsedCertificate;
  readonly anchor: Anchor | undefined;
  node: X509Certificate | undefined;
}

let systemAnchors: Anchor[] | undefined;

function loadAnchors(input: CertificateVerifierOptions['ca']): Anchor[] {
  if (input === undefined) {
    if (systemAnchors === undefined) {
      systemAnchors = [];
      for (const pem of rootCertificates) {
        try {
          for (const der of toDerCertificates(pem)) systemAnchors.push({ cert: parseX509(der), node: undefined });
        } catch {
          // A root this parser cannot read is simply not usable as an anchor.
        }
      }
    }
    return systemAnchors;
  }
  return toDerCertificates(input).map((der) => ({ cert: parseX509(der), node: undefined }));
}

function nodeCert(c: { cert: ParsedCertificate; node: X509Certificate | undefined }): X509Certificate {
  c.node ??= new X509Certificate(c.cert.der);
  return c.node;
}

function describe(c: ParsedCertificate): string {
  try {
    return new X509Certificate(c.der).subject.replace(/\n/g, ', ');
  } catch {
    return '(unreadable subject)';
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The built-in {@link CertificateVerifier}. Create one per configuration and reuse it (anchors are parsed once). */
export class ChainVerifier implements CertificateVerifier {
  private readonly anchorsBySubject = new Map<string, Anchor[]>();
  private readonly anchorDer = new Set<string>();
  private readonly rejectUnauthorized: boolean;
  private readonly pins: ReadonlySet<string> | undefined;
  private readonly maxPathLength: number;
  private indexed = false;

  constructor(options: CertificateVerifierOptions = {}) {
    this.rejectUnauthorized = options.rejectUnauthorized ?? true;
    this.pins = options.pinnedPublicKeys?.length ? new Set(options.pinnedPublicKeys.map(normalizePin)) : undefined;
    this.maxPathLength = options.maxPathLength ?? 10;
    // Caller-given anchors are parsed now (configuration errors surface here); Node's store on first use.
    if (this.rejectUnauthorized && options.ca !== undefined) this.index(loadAnchors(options.ca));
  }

  private index(anchors: readonly Anchor[]): void {
    this.indexed = true;
    for (const anchor of anchors) {
      const key = hex(anchor.cert.subject);
      const list = this.anchorsBySubject.get(key);
      if (list) list.push(anchor);
      else this.anchorsBySubject.set(key, [anchor]);
      this.anchorDer.add(hex(anchor.cert.der));
    }
  }

  verify(chain: readonly Uint8Array[], request: CertificateVerifyRequest): void {
    if (chain.length === 0) throw new CertificateError(CertificateErrorCode.noCertificate, 'no certificate presented');
    const certs: ParsedCertificate[] = [];
    for (let i = 0; i < chain.length; i++) {
      try {
        certs.push(parseX509(chain[i]));
      } catch (cause) {
        throw new CertificateError(CertificateErrorCode.malformed, `malformed certificate ${i}`, {
          certificateIndex: i,
          cause,
        });
      }
    }
    const leaf = certs[0];
    if (this.pins !== undefined && !this.pins.has(normalizePin(spkiPin(leaf.spki)))) {
      throw new CertificateError(CertificateErrorCode.pinMismatch, `public key pin mismatch: ${spkiPin(leaf.spki)}`, {
        certificateIndex: 0,
      });
    }
    if (!this.rejectUnauthorized) return;
    if (!this.indexed) this.index(loadAnchors(undefined));

    this.checkValidity(leaf, 0, request.epochMs);
    this.checkExtensions(leaf, 0);
    // RFC 8446 §4.4.2.2: the end-entity key must be allowed to sign (digitalSignature) when keyUsage is present.
    if (leaf.keyUsage !== undefined && (leaf.keyUsage & (1 << KeyUsageBit.digitalSignature)) === 0) {
      throw new CertificateError(CertificateErrorCode.keyUsage, 'key usage: digitalSignature not asserted', {
        certificateIndex: 0,
      });
    }
    // RFC 5280 §4.2.1.12: when extKeyUsage is present it must allow this purpose.
    const purpose = request.purpose === 'server' ? Oid.serverAuth : Oid.clientAuth;
    if (
      leaf.extKeyUsage !== undefined &&
      !leaf.extKeyUsage.includes(purpose) &&
      !leaf.extKeyUsage.includes(Oid.anyExtendedKeyUsage)
    ) {
      throw new CertificateError(
        CertificateErrorCode.keyUsage,
        `extended key usage: not valid for ${request.purpose}Auth`,
        {
          certificateIndex: 0,
        },
      );
    }
    if (request.host !== undefined && !certificateMatchesHost(leaf, request.host)) {
      const names = certificateNames(leaf);
      throw new CertificateError(
        CertificateErrorCode.hostnameMismatch,
        `hostname mismatch: ${request.host} vs ${names.length ? names.join(', ') : '(no subjectAltName)'}`,
        { certificateIndex: 0 },
      );
    }
    this.buildPath(certs, request.epochMs);
  }

  /** `index` is the position in the presented chain, or -1 for a trust anchor that was not presented. */
  private checkValidity(c: ParsedCertificate, index: number, epochMs: number): void {
    if (epochMs <= c.notAfterMs && epochMs >= c.notBeforeMs) return;
    // Only a failure pays for the description.
    const which = index < 0 ? `trust anchor (${describe(c)})` : `certificate ${index} (${describe(c)})`;
    const certificateIndex = index < 0 ? undefined : index;
    if (epochMs > c.notAfterMs) {
      throw new CertificateError(
        CertificateErrorCode.expired,
        `expired: ${which} expired at ${new Date(c.notAfterMs).toISOString()}`,
        { certificateIndex },
      );
    }
    if (epochMs < c.notBeforeMs) {
      throw new CertificateError(
        CertificateErrorCode.notYetValid,
        `not yet valid: ${which} starts at ${new Date(c.notBeforeMs).toISOString()}`,
        { certificateIndex },
      );
    }
  }

  private checkExtensions(c: ParsedCertificate, index: number): void {
    // RFC 5280 §4.2: a critical extension that is not recognised makes the certificate unusable.
    if (c.unknownCriticalExtensions.length > 0) {
      throw new CertificateError(
        CertificateErrorCode.malformed,
        `unsupported critical extension ${c.unknownCriticalExtensions.join(', ')} in certificate ${index}`,
        { certificateIndex: index },
      );
    }
  }

  /**
   * Depth-first search from the end-entity certificate to an anchor through the presented certificates (any order,
   * extras ignored, RFC 8446 §4.4.2). The most specific failure met on the way is reported when no path works.
   */
  private buildPath(certs: readonly ParsedCertificate[], epochMs: number): void {
    const leaf = certs[0];
    if (this.anchorDer.has(hex(leaf.der))) return; // the end-entity certificate itself is trusted
    const pool: Candidate[] = certs.slice(1).map((cert) => ({ cert, anchor: undefined, node: undefined }));
    const leafCandidate: Candidate = { cert: leaf, anchor: undefined, node: undefined };
    let failure: CertificateError | undefined;
    const remember = (e: CertificateError) => {
      // Prefer errors about a concrete link over "unknown CA".
      if (failure === undefined || failure.code === CertificateErrorCode.unknownCa) failure = e;
    };

    const search = (child: Candidate, path: Candidate[], intermediates: number): boolean => {
      if (path.length >= this.maxPathLength) {
        remember(new CertificateError(CertificateErrorCode.unknownCa, 'unknown CA: path too long'));
        return false;
      }
      const key = hex(child.cert.issuer);
      const candidates: Candidate[] = [];
      for (const a of this.anchorsBySubject.get(key) ?? []) candidates.push({ cert: a.cert, anchor: a, node: a.node });
      for (const p of pool) if (!path.includes(p) && sameBytes(p.cert.subject, child.cert.issuer)) candidates.push(p);
      if (candidates.length === 0) {
        remember(
          new CertificateError(
            CertificateErrorCode.unknownCa,
            `unknown CA: no trusted issuer for ${describe(child.cert)}`,
            {
              certificateIndex: certs.indexOf(child.cert),
            },
          ),
        );
        return false;
      }
      for (const issuer of candidates) {
        const err = this.checkLink(child, issuer, intermediates, epochMs, certs);
        if (err !== undefined) {
          remember(err);
          continue;
        }
        if (issuer.anchor !== undefined) return true;
        // RFC 5280 §6.1.4(l): self-issued intermediates do not count towards pathLenConstraint.
        const next = intermediates + (isSelfIssued(issuer.cert) ? 0 : 1);
        if (search(issuer, [...path, issuer], next)) return true;
      }
      return false;
    };

    if (!search(leafCandidate, [leafCandidate], 0)) {
      throw failure ?? new CertificateError(CertificateErrorCode.unknownCa, 'unknown CA');
    }
  }

  /** Checks that `issuer` may have issued `child` (signature, CA flags, validity, path length). */
  private checkLink(
    child: Candidate,
    issuer: Candidate,
    intermediatesBelow: number,
    epochMs: number,
    certs: readonly ParsedCertificate[],
  ): CertificateError | undefined {
    const index = certs.indexOf(issuer.cert);
    const childIndex = certs.indexOf(child.cert);
    // RFC 8446 §4.4.2.4: refuse MD5 / SHA-1 signatures on anything that is not a trust anchor.
    if (child.cert.weakSignature) {
      return new CertificateError(
        CertificateErrorCode.weakSignature,
        `weak signature algorithm ${child.cert.signatureAlgorithm}`,
        {
          certificateIndex: childIndex,
        },
      );
    }
    let signatureOk = false;
    try {
      signatureOk = nodeCert(child).verify(nodeCert(issuer.anchor ?? issuer).publicKey);
    } catch {
      signatureOk = false;
    }
    if (!signatureOk) {
      return new CertificateError(
        CertificateErrorCode.badSignature,
        `bad signature: certificate ${childIndex} is not signed by ${describe(issuer.cert)}`,
        { certificateIndex: childIndex },
      );
    }
    try {
      this.checkValidity(issuer.cert, index, epochMs);
      if (issuer.anchor === undefined) this.checkExtensions(issuer.cert, index);
    } catch (e) {
      return e as CertificateError;
    }
    const bc = issuer.cert.basicConstraints;
    // RFC 5280 §6.1.4(k): an intermediate must be a CA; anchors may be v1 certificates without the extension.
    if ((issuer.anchor === undefined && (bc === undefined || !bc.ca)) || (bc !== undefined && !bc.ca)) {
      return new CertificateError(CertificateErrorCode.notCa, `not a CA: ${describe(issuer.cert)}`, {
        certificateIndex: index < 0 ? undefined : index,
      });
    }
    // RFC 5280 §6.1.4(n): keyCertSign must be asserted when keyUsage is present.
    const ku = issuer.cert.keyUsage;
    if (ku !== undefined && (ku & (1 << KeyUsageBit.keyCertSign)) === 0) {
      return new CertificateError(
        CertificateErrorCode.notCa,
        `not a CA: keyCertSign not asserted by ${describe(issuer.cert)}`,
        {
          certificateIndex: index < 0 ? undefined : index,
        },
      );
    }
    // RFC 5280 §4.2.1.9 pathLenConstraint: intermediates below this CA (the end-entity excluded).
    if (bc?.pathLength !== undefined && intermediatesBelow > bc.pathLength) {
      return new CertificateError(
        CertificateErrorCode.pathLength,
        `path length exceeded: ${describe(issuer.cert)} allows ${bc.pathLength}, ${intermediatesBelow} below it`,
        { certificateIndex: index < 0 ? undefined : index },
      );
    }
    return undefined;
  }
}
