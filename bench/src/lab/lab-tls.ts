// TLS for lab connections: one self-signed certificate per process, a server context and a client that trusts it.
import { type GeneratedCertificate, generateSelfSignedCertificate, NodeCryptoProvider, TlsContext } from '@fos/crypto';

/** The TLS pieces every lab flow shares (the handshake is real; only packet protection is nulled). */
export interface LabTls {
  readonly provider: NodeCryptoProvider;
  readonly server: TlsContext;
  readonly client: TlsContext;
}

let certificate: Promise<GeneratedCertificate> | undefined;

/** A server context with a self-signed `localhost` certificate and a client context that trusts it (cached). */
export async function labTls(): Promise<LabTls> {
  certificate ??= generateSelfSignedCertificate();
  const cert = await certificate;
  const provider = new NodeCryptoProvider();
  return {
    provider,
    server: new TlsContext({ provider, certificates: [{ chain: cert.certPem, key: cert.keyPem }] }),
    client: new TlsContext({ provider, verify: { ca: cert.certPem } }),
  };
}
