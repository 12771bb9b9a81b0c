import { type DependencyContainer, QlogSink } from '@fos/core';
import { QuicEndpointOptions } from './api/options.js';
import { FileQlogSink } from './qlog/file-qlog-sink.js';

/**
 * Registers the QUIC transport's settings in a composition root: `QuicEndpointOptions` → `options` (defaults of
 * every `createQuicEndpoint(container)`), and, when `options.qlogDir` is set, `QlogSink` → a {@link FileQlogSink}
 * writing one qlog file per connection there. Call it after `registerCore` (which registers a no-op `QlogSink`).
 *
 * Consumed by `createQuicEndpoint`: `DatagramSocket`, `Clock`, `BufferAllocator` (`registerCore` + `registerUdp` or
 * `registerMemoryNetwork`), `QuicTls`, `QuicPacketProtection`, `CryptoProvider`, `QuicTlsSessionCache`
 * (`registerCrypto`), `CongestionControllerFactory` (`registerNewReno` / `registerCubic`), `QlogSink`.
 */
export function registerQuic(container: DependencyContainer, options: QuicEndpointOptions = {}): DependencyContainer {
  container.register(QuicEndpointOptions, { useValue: options });
  if (options.qlogDir !== undefined) {
    container.register(QlogSink, { useValue: new FileQlogSink({ directory: options.qlogDir }) });
  }
  return container;
}
