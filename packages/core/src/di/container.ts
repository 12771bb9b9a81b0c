import './reflect.js';
import type { DependencyContainer } from 'tsyringe';
import { container as globalContainer } from 'tsyringe';
import type { Token } from './token.js';

export type { DependencyContainer } from 'tsyringe';
// Re-exported so that sibling packages reach tsyringe only through @fos/core (which loads the polyfill first).
export { inject, injectable, instanceCachingFactory, Lifecycle } from 'tsyringe';

/**
 * A fresh child of tsyringe's root container. Library code never registers into the global container:
 * every client, server or endpoint composes its own child container.
 */
export function createContainer(parent?: DependencyContainer): DependencyContainer {
  return (parent ?? globalContainer).createChildContainer();
}

/** Typed resolve: `resolve(c, Clock)` returns a `Clock` (tsyringe cannot infer the type from a symbol token). */
export function resolve<T>(container: DependencyContainer, token: Token<T>): T {
  return container.resolve<T>(token);
}

/** `resolve`, or `undefined` when nothing is registered for the token (searching parent containers too). */
export function tryResolve<T>(container: DependencyContainer, token: Token<T>): T | undefined {
  return container.isRegistered(token, true) ? container.resolve<T>(token) : undefined;
}
