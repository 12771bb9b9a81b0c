// Shared in-memory handshake fixtures: a CA, leaf certificates and helpers building client/server sessions.
import type { QuicTlsSessionTicket } from '@fos/core';
import { NodeCryptoProvider } from '../../src/provider/node-crypto-provider.js';
import type { TlsClientSessionOptions } from '../../src/tls/client-session.js';
import type { TlsContextOptions } from '../../src/tls/options.js';
import type { TlsServerSessionOptions } from '../../src/tls/server-session.js';
import { TlsContext } from '../../src/tls/tls-context.js';
import { createCa, createLeaf, type Issuer, type Leaf } from './pki.js';
import { ofType, pump, type Recorded } from './pump.js';

export const provider = new NodeCryptoProvider();
export const CLIENT_TP = Uint8Array.of(0x0f, 0x00);
export const SERVER_TP = Uint8Array.of(0x0f, 0x01, 0x02);

export interface Pki {
  readonly ca: Issuer;
  readonly leaf: Leaf;
}

export async function createPki(): Promise<Pki> {
  const ca = await createCa('Fixture CA');
  const leaf = await createLeaf(ca, 'p256', { names: ['localhost', '*.example.test'], ips: ['127.0.0.1'] });
  return { ca, leaf };
}

export function serverContext(pki: Pki, extra: Partial<TlsContextOptions> = {}): TlsContext {
  return new TlsContext({ provider, certificates: [{ chain: [pki.leaf.der], key: pki.leaf.key }], ...extra });
}

export function clientContext(pki: Pki, extra: Partial<TlsContextOptions> = {}): TlsContext {
  return new TlsContext({ provider, verify: { ca: pki.ca.pem }, ...extra });
}

export function clientOptions(epochMs: number, extra: Partial<TlsClientSessionOptions> = {}): TlsClientSessionOptions {
  return { alpnProtocols: ['h3'], serverName: 'localhost', transportParameters: CLIENT_TP, epochMs, ...extra };
}

export function serverOptions(epochMs: number, extra: Partial<TlsServerSessionOptions> = {}): TlsServerSessionOptions {
  return { alpnProtocols: ['h3'], transportParameters: SERVER_TP, epochMs, ...extra };
}

/** Runs one full handshake and returns the events and the first session ticket the client received. */
export function connect(
  cctx: TlsContext,
  sctx: TlsContext,
  epochMs: number,
  c: Partial<TlsClientSessionOptions> = {},
  s: Partial<TlsServerSessionOptions> = {},
) {
  const client = cctx.createClient(clientOptions(epochMs, c));
  const server = sctx.createServer(serverOptions(epochMs, s));
  const rec: Recorded = pump(client, server, epochMs);
  const ticket: QuicTlsSessionTicket | undefined = ofType(rec.client, 'session-ticket')[0]?.ticket;
  return { client, server, rec, ticket };
}
