import { describe, expect, it } from 'vitest';
import { MemoryQlogSink, NullQlogSink, qlogJsonSeqEvent, qlogJsonSeqHeader } from './qlog-sinks.js';

describe('qlog sinks', () => {
  const info = { vantagePoint: 'client' as const, odcid: 'c0ffee', referenceTimeMs: 1_700_000_000_000 };

  it('NullQlogSink traces nothing', () => {
    expect(new NullQlogSink().createTrace()).toBeUndefined();
  });

  it('MemoryQlogSink records events until closed', () => {
    const sink = new MemoryQlogSink();
    const trace = sink.createTrace(info);
    trace.event(1.5, 'transport:packet_sent', { header: { packet_type: 'initial', packet_number: 0 } });
    trace.close();
    trace.event(2, 'transport:packet_sent', { header: { packet_type: 'initial', packet_number: 1 } });
    expect(sink.traces[0].events).toEqual([
      { time: 1.5, name: 'transport:packet_sent', data: { header: { packet_type: 'initial', packet_number: 0 } } },
    ]);
  });

  it('writes qlog 0.3 JSON-SEQ records (RFC 7464: RS, JSON, LF)', () => {
    const header = qlogJsonSeqHeader(info);
    expect(header.startsWith('\u001e')).toBe(true);
    expect(header.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(header.slice(1));
    expect(parsed).toMatchObject({
      qlog_version: '0.3',
      qlog_format: 'JSON-SEQ',
      trace: {
        vantage_point: { type: 'client' },
        common_fields: { ODCID: 'c0ffee', reference_time: info.referenceTimeMs },
      },
    });
    const ev = JSON.parse(qlogJsonSeqEvent(1.23456, 'recovery:metrics_updated', { smoothed_rtt: 12 }).slice(1));
    expect(ev).toEqual({ time: 1.235, name: 'recovery:metrics_updated', data: { smoothed_rtt: 12 } });
  });
});
