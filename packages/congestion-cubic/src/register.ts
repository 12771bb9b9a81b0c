import { CongestionControllerFactory, type DependencyContainer } from '@fos/core';
import type { CubicOptions } from './cubic.js';
import { CubicFactory } from './cubic-factory.js';

/**
 * Registers CUBIC as this container's congestion controller (the `CongestionControllerFactory` token).
 * Registering another controller afterwards (e.g. `registerNewReno(container)`) replaces it.
 */
export function registerCubic(container: DependencyContainer, options: CubicOptions = {}): DependencyContainer {
  container.register(CongestionControllerFactory, { useValue: new CubicFactory(options) });
  return container;
}
