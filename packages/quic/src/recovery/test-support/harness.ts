import { RttEstimator } from '@fos/core';
import type { ReceivedAck } from '../loss-detection-result.js';
import { LossDetector, type LossDetectorOptions } from '../loss-detector.js';
import type { EcnCounts, PacketNumberSpace } from '../packet-number-space.js';
import { RecordingController } from './recording-controller.js';

/** The payload tests attach to sent packets: its own packet number and space, to check what comes back. */
export interface TestPayload {
  readonly space: PacketNumberSpace;
  readonly pn: number;
}

export interface Harness {
  readonly ld: LossDetector<TestPayload>;
  readonly cc: RecordingController;
  readonly rtt: RttEstimator;
}

export function makeHarness(options: Partial<LossDetectorOptions> = {}): Harness {
  const rtt = options.rtt ?? new RttEstimator();
  const cc = (options.controller as RecordingController | undefined) ?? new RecordingController();
  const ld = new LossDetector<TestPayload>({ isServer: true, ...options, rtt, controller: cc });
  return { ld, cc, rtt };
}

/** An ACK frame from [largest, smallest] pairs (descending). */
export function ack(pairs: readonly (readonly [number, number])[], ackDelayMs = 0, ecn?: EcnCounts): ReceivedAck {
  return { ranges: pairs.flat(), rangeCount: pairs.length, ackDelayMs, ecn };
}

/** Sends ack-eliciting packets `from`..`to` (inclusive) at `nowMs`. */
export function send(
  ld: LossDetector<TestPayload>,
  nowMs: number,
  space: PacketNumberSpace,
  from: number,
  to = from,
  bytes = 1200,
  ackEliciting = true,
): void {
  for (let pn = from; pn <= to; pn++)
    ld.onPacketSent(nowMs, space, pn, bytes, ackEliciting, ackEliciting, { space, pn });
}

/** Packet numbers of payloads. */
export function pns(payloads: readonly TestPayload[]): number[] {
  return payloads.map((p) => p.pn);
}
