import { type Clock, token } from '@fos/core';
import { ClientErrorCode, ProtocolError } from '../errors.js';
import type { RequestChannel } from '../fetch/channel.js';
import { ConnectionPool } from '../pool/connection-pool.js';
import { H1Agent, H1Channel } from './h1-transport.js';
import { type AltSvcListener, H2Channel, H2Connection } from './h2-connection.js';
import { connectTls, socketHost, type TlsSettings } from './tcp-connect.js';

/** Which TCP protocols a request accepts: both by ALPN, or one of them. */
export type TcpMode = 'auto' | 'h2' | 'http/1.1';

export interface TcpConnectRequest {
  readonly url: URL;
  readonly mode: TcpMode;
  /** Abandons the wait (the shared connection attempt itself goes on and is pooled). */
  readonly signal: AbortSignal;
  readonly connectTimeoutMs: number;
}

/**
 * HTTP over TCP: HTTP/2 and HTTP/1.1 over TLS (ALPN picks, RFC 7301), HTTP/1.1 in cleartext for `http:` URLs.
 * `connect` resolves once a request can be sent: an HTTP/2 stream slot on a pooled session, or an HTTP/1.1 slot.
 */
export interface TcpTransport {
  connect(request: TcpConnectRequest): Promise<RequestChannel>;
  close(): Promise<void>;
}
export const TcpTransport = token<TcpTransport>('fos.client.TcpTransport');

export interface NodeTcpTransportOptions {
  readonly clock: Clock;
  readonly tls: TlsSettings;
  /** Idle HTTP/2 sessions and keep-alive sockets are closed after this long. */
  readonly idleTimeoutMs: number;
  /** Concurrent HTTP/1.1 connections per origin. */
  readonly maxSocketsPerOrigin: number;
  /** Default connect timeout of HTTP/1.1 agent connections. */
  readonly connectTimeoutMs: number;
  /** ALTSVC frames received on HTTP/2 connections (RFC 7838 §4). */
  readonly onAltSvc?: AltSvcListener;
}

/** Internal: the ALPN probe found an HTTP/1.1-only server; its socket went to the agent. */
class AlpnDowngrade extends Error {
  constructor(readonly handshakeMs: number) {
    super('server selected http/1.1');
  }
}

const MAX_REMEMBERED_ORIGINS = 1000;

/** The TCP transport over node:tls, node:http2 and node:http. */
export class NodeTcpTransport implements TcpTransport {
  private readonly h2Pool: ConnectionPool<H2Connection>;
  private readonly httpsAgent: H1Agent;
  private readonly httpAgent: H1Agent;
  /** What ALPN chose per origin, so later requests skip the probe (bounded, oldest forgotten first). */
  private readonly alpnByOrigin = new Map<string, 'h2' | 'http/1.1'>();

  constructor(private readonly options: NodeTcpTransportOptions) {
    this.h2Pool = new ConnectionPool<H2Connection>({ clock: options.clock, idleTimeoutMs: options.idleTimeoutMs });
    const agentOptions = {
      tls: options.tls,
      clock: options.clock,
      connectTimeoutMs: options.connectTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      maxSocketsPerOrigin: options.maxSocketsPerOrigin,
    };
    this.httpsAgent = new H1Agent({ ...agentOptions, secure: true });
    this.httpAgent = new H1Agent({ ...agentOptions, secure: false });
  }

  /** The protocol ALPN selected for `origin` last time, if known. */
  knownProtocol(origin: string): 'h2' | 'http/1.1' | undefined {
    return this.alpnByOrigin.get(origin);
  }

  /** HTTP/2 pool counters for `origin` (for diagnostics). */
  h2Stats(origin: string) {
    return this.h2Pool.stats(origin);
  }

  async connect(request: TcpConnectRequest): Promise<RequestChannel> {
    const { url, mode } = request;
    if (url.protocol === 'http:') return new H1Channel(this.httpAgent, undefined);
    const origin = url.origin;
    if (mode === 'http/1.1' || (mode === 'auto' && this.alpnByOrigin.get(origin) === 'http/1.1')) {
      return new H1Channel(this.httpsAgent, undefined);
    }
    const host = socketHost(url.hostname);
    const port = Number(url.port || 443);
    const offer = mode === 'h2' ? ['h2'] : ['h2', 'http/1.1'];
    try {
      const lease = await this.h2Pool.acquire(
        origin,
        () => this.openH2(origin, host, port, offer, request.connectTimeoutMs),
        request.signal,
      );
      return new H2Channel(lease);
    } catch (e) {
      if (!(e instanceof AlpnDowngrade)) throw e;
      if (mode === 'h2') {
        throw new ProtocolError(`${origin} does not speak h2`, ClientErrorCode.ALPN_MISMATCH);
      }
      return new H1Channel(this.httpsAgent, e.handshakeMs);
    }
  }

  async close(): Promise<void> {
    this.h2Pool.close();
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private async openH2(
    origin: string,
    host: string,
    port: number,
    offer: string[],
    timeoutMs: number,
  ): Promise<H2Connection> {
    const { socket, handshakeMs } = await connectTls({
      host,
      port,
      alpn: offer,
      tls: this.options.tls,
      timeoutMs,
      clock: this.options.clock,
      lookup: this.options.tls.lookup,
    });
    const selected = socket.alpnProtocol;
    this.remember(origin, selected === 'h2' ? 'h2' : 'http/1.1');
    if (selected === 'h2') return H2Connection.open(socket, origin, handshakeMs, host, port, this.options.onAltSvc);
    if (offer.includes('http/1.1') && (selected === 'http/1.1' || selected === false)) {
      // RFC 7301 §3.2: no ALPN answer means the server does not do ALPN; HTTP/1.1 it is.
      this.httpsAgent.adopt(host, port, socket);
      throw new AlpnDowngrade(handshakeMs);
    }
    socket.destroy();
    throw new ProtocolError(`${origin} selected ALPN ${String(selected)} instead of h2`, ClientErrorCode.ALPN_MISMATCH);
  }

  private remember(origin: string, protocol: 'h2' | 'http/1.1'): void {
    this.alpnByOrigin.delete(origin);
    this.alpnByOrigin.set(origin, protocol);
    if (this.alpnByOrigin.size > MAX_REMEMBERED_ORIGINS) {
      this.alpnByOrigin.delete(this.alpnByOrigin.keys().next().value!);
    }
  }
}
