import { describe, expect, it } from 'vitest';
import { type AccessLogEntry, formatAccessLogLine } from './access-log.js';

const entry: AccessLogEntry = {
  timeEpochMs: Date.UTC(2026, 9, 10, 13, 55, 36),
  remoteAddress: { address: '127.0.0.1', port: 5000, family: 'IPv4' },
  method: 'GET',
  authority: 'localhost',
  path: '/index.html',
  status: 200,
  bytesSent: 2326,
  bytesReceived: 0,
  durationMs: 1.234,
  streamId: 4,
  pushId: undefined,
  earlyData: false,
  resetCode: undefined,
  userAgent: 'curl/8 "x"',
};

describe('formatAccessLogLine', () => {
  it('Combined-Log-Format-like line with HTTP/3 details', () => {
    expect(formatAccessLogLine(entry)).toBe(
      '127.0.0.1 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/3" 200 2326 "curl/8 \\"x\\"" 1.2ms stream=4',
    );
  });

  it('marks pushes, 0-RTT and resets; no status for a reset without response', () => {
    const line = formatAccessLogLine({
      ...entry,
      status: 0,
      pushId: 2,
      earlyData: true,
      resetCode: 0x10c,
      userAgent: undefined,
    });
    expect(line).toContain('" - 2326 - 1.2ms stream=4 push=2 0rtt reset=0x10c');
  });

  it('never lets the request path break the line', () => {
    expect(formatAccessLogLine({ ...entry, path: '/a b"\n' })).toContain('"GET /a%20b%22%0A HTTP/3"');
  });
});
