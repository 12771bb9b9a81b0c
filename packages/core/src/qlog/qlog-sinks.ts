import type { QlogSink, QlogTrace, QlogTraceInfo } from '../contracts/qlog.js';

/** The default: no connection is traced. */
export class NullQlogSink implements QlogSink {
  createTrace(): undefined {
    return undefined;
  }
}

export interface RecordedQlogEvent {
  readonly time: number;
  readonly name: string;
  readonly data: Record<string, unknown>;
}

export interface RecordedQlogTrace {
  readonly info: QlogTraceInfo;
  readonly events: RecordedQlogEvent[];
  closed: boolean;
}

/** Keeps every trace in memory (tests, and in-process analysis such as the congestion lab). */
export class MemoryQlogSink implements QlogSink {
  readonly traces: RecordedQlogTrace[] = [];

  createTrace(info: QlogTraceInfo): QlogTrace {
    const trace: RecordedQlogTrace = { info, events: [], closed: false };
    this.traces.push(trace);
    return {
      event(time: number, name: string, data: object) {
        if (!trace.closed) trace.events.push({ time, name, data: data as Record<string, unknown> });
      },
      close() {
        trace.closed = true;
      },
    };
  }
}

const RS = '\u001e';

/**
 * The first record of a qlog 0.3 JSON-SEQ file (RFC 7464 record: RS, JSON, LF), as qvis loads it.
 */
export function qlogJsonSeqHeader(info: QlogTraceInfo): string {
  const header = {
    qlog_version: '0.3',
    qlog_format: 'JSON-SEQ',
    title: info.title ?? `fos ${info.vantagePoint} ${info.odcid}`,
    trace: {
      vantage_point: { type: info.vantagePoint },
      common_fields: {
        ODCID: info.odcid,
        group_id: info.odcid,
        reference_time: info.referenceTimeMs,
        time_format: 'relative',
      },
    },
  };
  return `${RS}${JSON.stringify(header)}\n`;
}

/** One event record of a qlog 0.3 JSON-SEQ file. */
export function qlogJsonSeqEvent(timeMs: number, name: string, data: object): string {
  return `${RS}${JSON.stringify({ time: Math.round(timeMs * 1000) / 1000, name, data })}\n`;
}
