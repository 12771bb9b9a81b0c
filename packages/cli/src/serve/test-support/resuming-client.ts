// A QUIC client (ALPN h3, real UDP) that keeps the session tickets it receives, for the serve command's ticket
// tests: each `connect` says whether the handshake resumed a session.

import { registerNewReno } from '@fos/congestion-newreno';
import { createContainer, registerCore } from '@fos/core';
import { MemorySessionCache, registerCrypto } from '@fos/crypto';
import { createQuicEndpoint, type QuicEndpoint, registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';

export class ResumingClient {
  readonly tickets = new MemorySessionCache();

  private constructor(private endpoint: QuicEndpoint | undefined) {}

  /** A client trusting `ca` (PEM). */
  static async create(ca: string): Promise<ResumingClient> {
    const client = new ResumingClient(undefined);
    const c = createContainer();
    registerCore(c);
    registerUdp(c);
    registerCrypto(c, { tls: { verify: { ca } }, sessionCache: client.tickets });
    registerNewReno(c);
    registerQuic(c);
    client.endpoint = await createQuicEndpoint(c, { bind: { address: '127.0.0.1', port: 0 } });
    return client;
  }

  /** Handshakes with 127.0.0.1:`port` (resuming when it holds a ticket), waits for a new ticket, closes. */
  async connect(port: number): Promise<{ resumed: boolean; ticketReceived: boolean }> {
    if (this.endpoint === undefined) throw new Error('not created');
    const before = this.tickets.size;
    const quic = await this.endpoint.connect({ address: '127.0.0.1', port, serverName: 'localhost', alpn: 'h3' });
    const resumed = quic.resumed;
    const held = Math.max(0, before - 1); // offering a ticket took it out (single use), resumed or not
    // the NewSessionTicket follows the handshake (RFC 8446 §4.6.1): give it up to a second on loopback
    for (let i = 0; i < 100 && this.tickets.size <= held; i++) await new Promise((r) => setTimeout(r, 10));
    const ticketReceived = this.tickets.size > held;
    await quic.close();
    return { resumed, ticketReceived };
  }

  close(): Promise<void> {
    return this.endpoint?.close() ?? Promise.resolve();
  }
}
