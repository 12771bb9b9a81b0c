// The controllers the lab compares: every factory registered under the CongestionControllerFactory token of the lab's
// container — exactly how an application plugs one in, so a user's own controller joins the lab with one line.
import { registerCubic } from '@fos/congestion-cubic';
import { registerNewReno } from '@fos/congestion-newreno';
import { CongestionControllerFactory, createContainer, type DependencyContainer } from '@fos/core';
import { registerFixedWindow } from '@fos/examples/fixed-window';

/**
 * A container with the lab's controllers registered under one token: NewReno, CUBIC (the default) and the swap
 * example's user-written fixed-window controller (its default window of 64 datagrams). Register more to compare
 * them too: `registerMine(labContainer())`.
 */
export function labContainer(): DependencyContainer {
  const c = createContainer();
  registerNewReno(c);
  registerCubic(c);
  registerFixedWindow(c);
  return c;
}

/** Every factory registered under `CongestionControllerFactory` in `container`, in registration order. */
export function registeredFactories(container: DependencyContainer): CongestionControllerFactory[] {
  return container.resolveAll<CongestionControllerFactory>(CongestionControllerFactory);
}

/** The registered factories whose names are in `names` (all when `names` is undefined), in registration order. */
export function selectFactories(
  container: DependencyContainer,
  names: readonly string[] | undefined,
): CongestionControllerFactory[] {
  const all = registeredFactories(container);
  if (names === undefined) return all;
  const unknown = names.filter((n) => !all.some((f) => f.name === n));
  if (unknown.length > 0) {
    throw new RangeError(
      `unknown controller(s) ${unknown.join(', ')}; registered: ${all.map((f) => f.name).join(', ')}`,
    );
  }
  return all.filter((f) => names.includes(f.name));
}
