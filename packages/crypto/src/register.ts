import {
  CryptoProvider,
  type DependencyContainer,
  instanceCachingFactory,
  QuicPacketProtection,
  QuicTls,
  QuicTlsSessionCache,
  resolve,
} from '@fos/core';
import { CryptoPacketProtection } from './protection/crypto-packet-protection.js';
import { NodeCryptoProvider } from './provider/node-crypto-provider.js';
import { MemorySessionCache } from './tls/memory-session-cache.js';
import type { TlsContextOptions } from './tls/options.js';
import { TlsContext } from './tls/tls-context.js';

export interface CryptoOptions {
  /** The primitives to use. Default: a new {@link NodeCryptoProvider} (node:crypto / OpenSSL). */
  readonly provider?: CryptoProvider;
  /**
   * The TLS configuration (certificates, trust anchors, verification, tickets, key log …) for the `QuicTls`
   * factory. The provider comes from the container.
   */
  readonly tls?: Omit<TlsContextOptions, 'provider'>;
  /** Client session tickets (resumption and 0-RTT). Default: a new {@link MemorySessionCache}. */
  readonly sessionCache?: QuicTlsSessionCache;
}

/**
 * Registers the crypto services of one composition root:
 * - `CryptoProvider` → `options.provider` or a {@link NodeCryptoProvider};
 * - `QuicPacketProtection` → a {@link CryptoPacketProtection},
 * - `QuicTls` → a {@link TlsContext} with `options.tls`,
 *   both built on whatever `CryptoProvider` the container resolves when first asked for (so
 *   `c.register(CryptoProvider, { useValue: mine })` after this call also takes effect), cached per container;
 * - `QuicTlsSessionCache` → `options.sessionCache` or a {@link MemorySessionCache}.
 */
export function registerCrypto(container: DependencyContainer, options: CryptoOptions = {}): DependencyContainer {
  container.register(CryptoProvider, { useValue: options.provider ?? new NodeCryptoProvider() });
  container.register(QuicPacketProtection, {
    useFactory: instanceCachingFactory((c) => new CryptoPacketProtection(resolve(c, CryptoProvider))),
  });
  container.register(QuicTls, {
    useFactory: instanceCachingFactory((c) => new TlsContext({ ...options.tls, provider: resolve(c, CryptoProvider) })),
  });
  container.register(QuicTlsSessionCache, { useValue: options.sessionCache ?? new MemorySessionCache() });
  return container;
}
