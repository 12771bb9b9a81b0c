// The closed-form pieces of CUBIC (RFC 9438 §4), in the RFC's units: windows in segments, time in seconds.

/** RFC 9438 §4.2 / §5: C = 0.4 (segments / second³). */
export const CUBIC_C = 0.4;
/** RFC 9438 §4.6: β_cubic = 0.7, the multiplicative decrease factor. */
export const BETA_CUBIC = 0.7;
/** RFC 9438 §4.3 Figure 5: α_cubic = 3 · (1 − β_cubic) / (1 + β_cubic) (≈ 0.529 for β = 0.7). */
export const ALPHA_CUBIC = (3 * (1 - BETA_CUBIC)) / (1 + BETA_CUBIC);
/** RFC 9438 §4.2: the target is clamped to at most 1.5 · cwnd. */
export const TARGET_MAX_RATIO = 1.5;

/**
 * RFC 9438 §4.2 Figure 2: K = ∛((W_max − cwnd_epoch) / C), the time in seconds the cubic function takes to grow
 * from cwnd_epoch back to W_max. For cwnd_epoch ≥ W_max the RFC's handling of an epoch that starts at or above
 * W_max (§4.8 after a timeout, §4.10 after a loss-free slow-start exit) applies: K = 0 (and W_max := cwnd_epoch).
 * After a plain reduction (cwnd_epoch = β·W_max) this is ∛(W_max · (1 − β) / C).
 */
export function cubicK(wMaxSegments: number, cwndEpochSegments: number, c: number = CUBIC_C): number {
  return wMaxSegments > cwndEpochSegments ? Math.cbrt((wMaxSegments - cwndEpochSegments) / c) : 0;
}

/** RFC 9438 §4.2 Figure 1: W_cubic(t) = C · (t − K)³ + W_max, in segments (t and K in seconds). */
export function cubicWindow(tSeconds: number, kSeconds: number, wMaxSegments: number, c: number = CUBIC_C): number {
  const d = tSeconds - kSeconds;
  return c * d * d * d + wMaxSegments;
}

/** RFC 9438 §4.2: target = W_cubic(t + RTT) clamped to [cwnd, 1.5 · cwnd]. */
export function cubicTarget(wCubicNext: number, cwnd: number): number {
  if (wCubicNext < cwnd) return cwnd;
  return Math.min(wCubicNext, TARGET_MAX_RATIO * cwnd);
}

/**
 * RFC 9438 §4.7 fast convergence: the W_max remembered at a congestion event. A flow whose window peaked below the
 * previous W_max releases bandwidth by remembering cwnd · (1 + β) / 2 instead of cwnd.
 */
export function fastConvergenceWMax(cwnd: number, wMax: number, enabled: boolean, beta: number = BETA_CUBIC): number {
  return enabled && cwnd < wMax ? (cwnd * (1 + beta)) / 2 : cwnd;
}
