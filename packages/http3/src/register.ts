import { type DependencyContainer, StringInterner, tryResolve } from '@fos/core';
import { H3Connection } from './connection/h3-connection.js';
import type { H3ConnectionOptions } from './connection/options.js';
import type { H3Transport } from './transport.js';

/** Connection options without the transport: the defaults a factory applies to every connection it creates. */
export type H3ConnectionDefaults = Omit<H3ConnectionOptions, 'transport'>;

/**
 * Creates H3Connections with shared defaults (a composition root registers one with `registerHttp3`; the client and
 * server packages resolve it and call `create` for each QUIC connection).
 */
export class H3ConnectionFactory {
  constructor(readonly defaults: H3ConnectionDefaults = {}) {}

  /** A new connection over `transport` (call `start()` once the transport can send). */
  create(transport: H3Transport, overrides: H3ConnectionDefaults = {}): H3Connection {
    return new H3Connection({ ...this.defaults, ...overrides, transport });
  }
}

/**
 * Registers an `H3ConnectionFactory` (the class is its token) with `options` as defaults. Consumes the container's
 * `StringInterner`, when one is registered, to intern decoded header names.
 */
export function registerHttp3(container: DependencyContainer, options: H3ConnectionDefaults = {}): DependencyContainer {
  const interner = options.interner ?? tryResolve(container, StringInterner);
  container.register(H3ConnectionFactory, { useValue: new H3ConnectionFactory({ ...options, interner }) });
  return container;
}
