// QUIC streams (RFC 9000 §2-§4): the public surface of packages/quic/src/streams and flow-control.
export { ReceiveFlowController, type ReceiveFlowControllerOptions } from '../flow-control/receive-flow-controller.js';
export { SendFlowController } from '../flow-control/send-flow-controller.js';
export { RangeSet } from './range-set.js';
export { ReassemblyBuffer, type ReassemblyBufferOptions } from './reassembly-buffer.js';
export { RecvState, RecvStream, type RecvStreamOptions } from './recv-stream.js';
export { SendBuffer, type SendBufferOptions } from './send-buffer.js';
export { DEFAULT_URGENCY, SchedulerEntry, SendScheduler, URGENCY_LEVELS } from './send-scheduler.js';
export { SendState, SendStream, type SendStreamOptions, type StreamChunk } from './send-stream.js';
export { Stream } from './stream.js';
export { StreamAbortedError, StreamUsageError } from './stream-errors.js';
export { MAX_STREAM_CONTROL_FRAME_BYTES, type StreamControlFrame, type StreamEvent } from './stream-events.js';
export { StreamFrameType } from './stream-frame-types.js';
// `EndpointRole` ('client' | 'server') is not re-exported: the wire layer exports the identical type.
export {
  isBidirectional,
  isClientInitiated,
  isLocallyInitiated,
  localStreamType,
  MAX_STREAM_COUNT,
  StreamType,
  streamIdOf,
  streamIndex,
  streamType,
} from './stream-id.js';
export { LocalStreamLimit, RemoteStreamLimit } from './stream-limits.js';
export { type StreamLimits, StreamManager, type StreamManagerOptions } from './stream-manager.js';
