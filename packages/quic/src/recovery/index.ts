// Loss detection, ACK management and pacing (RFC 9002; RFC 9000 §13.2). Sans-I/O: every input carries `nowMs`.

export { AckFrameFields, AckTracker, type AckTrackerOptions, DEFAULT_ACK_ELICITING_THRESHOLD } from './ack-tracker.js';
export { LossDetectionResult, type ReceivedAck } from './loss-detection-result.js';
export { LossDetector, type LossDetectorOptions, LossTimerMode } from './loss-detector.js';
export { DEFAULT_PACER_BURST_PACKETS, DEFAULT_PACER_GRANULARITY_MS, Pacer, type PacerOptions } from './pacer.js';
export {
  EcnCodepoint,
  PACKET_NUMBER_SPACE_COUNT,
  PacketNumberSpace,
} from './packet-number-space.js';
export { DEFAULT_MAX_ACK_RANGES_TRACKED, PacketRangeSet } from './packet-range-set.js';
