import { CongestionControllerFactory, type DependencyContainer } from '@fos/core';
import type { NewRenoOptions } from './newreno.js';
import { NewRenoFactory } from './newreno-factory.js';

/**
 * Registers NewReno as this container's congestion controller (the `CongestionControllerFactory` token).
 * Registering another controller afterwards (e.g. `registerCubic(container)`) replaces it.
 */
export function registerNewReno(container: DependencyContainer, options: NewRenoOptions = {}): DependencyContainer {
  container.register(CongestionControllerFactory, { useValue: new NewRenoFactory(options) });
  return container;
}
