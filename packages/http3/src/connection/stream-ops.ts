import type { H3Headers } from '../message/headers.js';
import type { H3Priority } from '../priority/priority.js';
import type { H3StreamState } from './stream-state.js';

/**
 * @internal The operations request/push handles delegate to their H3Connection (implemented by it). They act on a
 * stream's state object, so they also work while the stream waits to be opened.
 */
export interface H3StreamOps {
  writeBodyOn(s: H3StreamState, data: Uint8Array, endStream: boolean): boolean;
  writeTrailersOn(s: H3StreamState, trailers: H3Headers): void;
  endOn(s: H3StreamState): void;
  cancelOn(s: H3StreamState, code: number): void;
  setPriorityOn(s: H3StreamState, priority: H3Priority): void;
  pauseReadingOn(s: H3StreamState): void;
  resumeReadingOn(s: H3StreamState): void;
  bufferedBytesOn(s: H3StreamState): number;
  respondOn(s: H3StreamState, headers: H3Headers, endStream: boolean): void;
}
