// Handshakes per second of the TLS engine in memory (no I/O): a full handshake (ECDSA P-256 certificate, x25519), a
// resumed one (PSK + x25519, no certificate), one with a HelloRetryRequest, and certificate-chain verification on its
// own. Run: npx vitest bench --run --project crypto src/tls/handshake.bench.ts
import { NamedGroup, type QuicTlsSession, type QuicTlsSessionTicket } from '@fos/core';
import { bench, describe } from 'vitest';
import { NodeCryptoProvider } from '../provider/node-crypto-provider.js';
import { ChainVerifier } from '../x509/chain-verifier.js';
import { TlsContext } from './tls-context.js';

// The test PKI lives in test/ (outside the build's rootDir): load it at run time only.
interface Issuer {
  readonly der: Uint8Array;
  readonly pem: string;
}
interface TestPki {
  createCa(name: string): Promise<Issuer>;
  createIntermediate(issuer: Issuer, name: string): Promise<Issuer>;
  createLeaf(issuer: Issuer, kind: 'p256', o: { names: string[] }): Promise<Issuer & { key: Uint8Array }>;
}
const pkiModule = new URL('../../test/support/pki.ts', import.meta.url).href;
const { createCa, createIntermediate, createLeaf } = (await import(pkiModule)) as TestPki;

const provider = new NodeCryptoProvider();
const ca = await createCa('Bench CA');
const inter = await createIntermediate(ca, 'Bench Intermediate');
const leaf = await createLeaf(inter, 'p256', { names: ['localhost'] });
const sctx = new TlsContext({ provider, certificates: [{ chain: [leaf.der, inter.der], key: leaf.key }] });
const cctx = new TlsContext({ provider, verify: { ca: ca.pem } });
const hrrServer = new TlsContext({
  provider,
  groups: [NamedGroup.secp256r1],
  certificates: [{ chain: [leaf.der, inter.der], key: leaf.key }],
});
const tp = new Uint8Array(16);

function run(client: QuicTlsSession, server: QuicTlsSession): QuicTlsSessionTicket | undefined {
  let ticket: QuicTlsSessionTicket | undefined;
  for (let moved = true; moved; ) {
    moved = false;
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      for (let e = from.pollEvent(); e !== undefined; e = from.pollEvent()) {
        moved = true;
        if (e.type === 'handshake-data') to.handleCryptoData(e.level, e.data, Date.now());
        else if (e.type === 'session-ticket') ticket = e.ticket;
        else if (e.type === 'error') throw e.error;
      }
    }
  }
  return ticket;
}

function full(ctx = sctx): QuicTlsSessionTicket | undefined {
  const now = Date.now();
  return run(
    cctx.createClient({ alpnProtocols: ['h3'], serverName: 'localhost', transportParameters: tp, epochMs: now }),
    ctx.createServer({ alpnProtocols: ['h3'], transportParameters: tp, epochMs: now }),
  );
}

const verifier = new ChainVerifier({ ca: ca.pem });
// Without 0-RTT a ticket may be offered again (single use is enforced for 0-RTT only).
const ticket = full();

describe('TLS engine (in memory)', () => {
  bench('full handshake (P-256 chain of 2, x25519)', () => {
    full();
  });
  bench('resumed handshake (PSK + x25519)', () => {
    const now = Date.now();
    run(
      cctx.createClient({
        alpnProtocols: ['h3'],
        serverName: 'localhost',
        transportParameters: tp,
        epochMs: now,
        resumeSession: ticket,
      }),
      sctx.createServer({ alpnProtocols: ['h3'], transportParameters: tp, epochMs: now }),
    );
  });
  bench('full handshake with HelloRetryRequest (x25519 → secp256r1)', () => {
    full(hrrServer);
  });
  bench('certificate chain verification only (leaf + intermediate)', () => {
    verifier.verify([leaf.der, inter.der], { host: 'localhost', epochMs: Date.now(), purpose: 'server' });
  });
});
