// @fos/congestion-newreno — NewReno congestion control (RFC 9002 §7, Appendix B) as a CongestionControllerFactory.

export { LOSS_REDUCTION_FACTOR, NewRenoController, type NewRenoOptions, PACING_GAIN } from './newreno.js';
export { NewRenoFactory } from './newreno-factory.js';
export { registerNewReno } from './register.js';
