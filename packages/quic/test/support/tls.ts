import { type GeneratedCertificate, generateSelfSignedCertificate, NodeCryptoProvider, TlsContext } from '@fos/crypto';

export interface TestTls {
  readonly provider: NodeCryptoProvider;
  readonly cert: GeneratedCertificate;
  readonly server: TlsContext;
  readonly client: TlsContext;
}

let cached: Promise<GeneratedCertificate> | undefined;

/** A server TLS context with a fresh self-signed localhost certificate, and a client that trusts it. */
export async function testTls(options: { keyLog?: (line: string) => void } = {}): Promise<TestTls> {
  cached ??= generateSelfSignedCertificate();
  const cert = await cached;
  const provider = new NodeCryptoProvider();
  return {
    provider,
    cert,
    server: new TlsContext({ provider, certificates: [{ chain: cert.certPem, key: cert.keyPem }] }),
    client: new TlsContext({ provider, verify: { ca: cert.certPem }, keyLog: options.keyLog }),
  };
}
