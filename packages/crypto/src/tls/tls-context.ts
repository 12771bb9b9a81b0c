import type { QuicTls } from '@fos/core';
import { TlsClientSession, type TlsClientSessionOptions } from './client-session.js';
import { resolveConfig, type TlsConfig } from './config.js';
import type { TlsContextOptions } from './options.js';
import { TlsServerSession, type TlsServerSessionOptions } from './server-session.js';

/**
 * The TLS 1.3 engine as the transport sees it (`QuicTls`): build one per configuration (certificates, trust anchors,
 * ticket keys, key log …) and create a session per connection. Sessions share the ticket keys and the 0-RTT
 * anti-replay store.
 *
 * Over TCP (interop tests), omit `transportParameters` in the session options: the QUIC extension is then neither
 * sent nor accepted, and EndOfEarlyData is used (RFC 9001 §8.2, §8.3).
 */
export class TlsContext implements QuicTls {
  readonly config: TlsConfig;

  constructor(options: TlsContextOptions) {
    this.config = resolveConfig(options);
  }

  createClient(options: TlsClientSessionOptions): TlsClientSession {
    return new TlsClientSession(this.config, options);
  }

  createServer(options: TlsServerSessionOptions): TlsServerSession {
    return new TlsServerSession(this.config, options);
  }
}
