// @fos/core/testing — helpers for testing plugins (not part of the runtime entry point).
export { CongestionHarness, fixedRtt, type MutableRtt } from './congestion-harness.js';
