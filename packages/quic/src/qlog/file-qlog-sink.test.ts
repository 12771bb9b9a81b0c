import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileQlogSink } from './file-qlog-sink.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fos-qlog-'));
  dirs.push(d);
  return d;
}

/** Splits a JSON-SEQ file (RFC 7464: RS, JSON text, LF) into parsed records. */
function records(text: string): Record<string, unknown>[] {
  expect(text.startsWith('\u001e')).toBe(true);
  return text
    .split('\u001e')
    .slice(1)
    .map((r) => {
      expect(r.endsWith('\n')).toBe(true);
      return JSON.parse(r) as Record<string, unknown>;
    });
}

describe('FileQlogSink', () => {
  it('writes one JSON-SEQ file per trace: a qlog 0.3 header, then the events, finished on close', async () => {
    const dir = tmp();
    const sink = new FileQlogSink({ directory: join(dir, 'nested'), bufferBytes: 256 });
    const a = sink.createTrace({ vantagePoint: 'client', odcid: '0011223344556677', referenceTimeMs: 1000 })!;
    const b = sink.createTrace({ vantagePoint: 'server', odcid: '0011223344556677', referenceTimeMs: 1000 })!;
    for (let i = 0; i < 50; i++)
      a.event(i * 1.5, 'transport:packet_sent', { header: { packet_type: '1RTT', packet_number: i } });
    b.event(0, 'transport:connection_started', { dst_port: 443 });
    a.close();
    expect(sink.openTraces).toBe(1);
    await sink.close(); // closes b too
    expect(sink.openTraces).toBe(0);
    const files = readdirSync(join(dir, 'nested')).sort();
    expect(files).toEqual(['0011223344556677_client.sqlog', '0011223344556677_server.sqlog']);
    const ra = records(readFileSync(join(dir, 'nested', files[0]), 'utf8'));
    expect(ra[0]).toMatchObject({
      qlog_version: '0.3',
      qlog_format: 'JSON-SEQ',
      trace: { vantage_point: { type: 'client' }, common_fields: { ODCID: '0011223344556677', reference_time: 1000 } },
    });
    expect(ra).toHaveLength(51);
    expect(ra[50]).toMatchObject({
      time: 73.5,
      name: 'transport:packet_sent',
      data: { header: { packet_number: 49 } },
    });
    const rb = records(readFileSync(join(dir, 'nested', files[1]), 'utf8'));
    expect(rb.map((r) => r.name)).toEqual([undefined, 'transport:connection_started']);
  });

  it('ignores events after close', async () => {
    const dir = tmp();
    const sink = new FileQlogSink({ directory: dir });
    const t = sink.createTrace({ vantagePoint: 'server', odcid: 'ab', referenceTimeMs: 0 })!;
    t.close();
    t.event(1, 'transport:packet_received', { header: { packet_type: 'initial' } });
    await sink.close();
    expect(records(readFileSync(join(dir, 'ab_server.sqlog'), 'utf8'))).toHaveLength(1);
  });
});
