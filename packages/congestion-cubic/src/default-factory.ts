import { CongestionControllerFactory, type DependencyContainer, tryResolve } from '@fos/core';
import type { CubicOptions } from './cubic.js';
import { CubicFactory } from './cubic-factory.js';

/**
 * The congestion controller factory a composition root should hand to its transport: the one registered under the
 * `CongestionControllerFactory` token in `container` (or one of its parents) — `registerNewReno(c)`,
 * `registerCubic(c)` or the user's own — and CUBIC when nothing is registered. CUBIC is the stack's default
 * controller (RFC 9438 with HyStart++, RFC 9406).
 *
 * Composition roots (`@fos/client`, `@fos/server`) call it once while composing, before anything resolves the token:
 *
 * ```ts
 * container.register(CongestionControllerFactory, { useValue: defaultCongestionControllerFactory(container) });
 * const endpoint = await createQuicEndpoint(container);
 * ```
 *
 * It registers nothing itself: whatever the application registered before the composition root ran (in the same
 * container or a parent) is what it returns. `options` tune the CUBIC fallback only.
 */
export function defaultCongestionControllerFactory(
  container: DependencyContainer,
  options: CubicOptions = {},
): CongestionControllerFactory {
  return tryResolve(container, CongestionControllerFactory) ?? new CubicFactory(options);
}
