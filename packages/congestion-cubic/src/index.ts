// @fos/congestion-cubic — CUBIC (RFC 9438) with HyStart++ (RFC 9406) as a CongestionControllerFactory.

export {
  CubicController,
  type CubicOptions,
  type CubicRegion,
  PACING_GAIN,
  SLOW_START_PACING_GAIN,
} from './cubic.js';
export { CubicFactory } from './cubic-factory.js';
export {
  ALPHA_CUBIC,
  BETA_CUBIC,
  CUBIC_C,
  cubicK,
  cubicTarget,
  cubicWindow,
  fastConvergenceWMax,
  TARGET_MAX_RATIO,
} from './cubic-math.js';
export { defaultCongestionControllerFactory } from './default-factory.js';
export {
  CSS_GROWTH_DIVISOR,
  CSS_ROUNDS,
  HyStart,
  type HyStartPhase,
  HyStartTransition,
  MAX_RTT_THRESH_MS,
  MIN_RTT_DIVISOR,
  MIN_RTT_THRESH_MS,
  N_RTT_SAMPLE,
  NON_PACED_L,
  rttThresholdMs,
} from './hystart.js';
export { registerCubic } from './register.js';
