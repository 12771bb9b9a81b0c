import type { SocketAddress } from '@fos/core';

/** One finished request, as the `accessLog` hook receives it. */
export interface AccessLogEntry {
  /** Wall-clock time the request arrived (Unix epoch ms). */
  readonly timeEpochMs: number;
  readonly remoteAddress: SocketAddress;
  readonly method: string;
  readonly authority: string | undefined;
  readonly path: string;
  /** The final status sent, or 0 when no final response was sent (the stream was reset). */
  readonly status: number;
  /** Response content bytes handed to QUIC (not counting headers or framing). */
  readonly bytesSent: number;
  /** Request content bytes received. */
  readonly bytesReceived: number;
  /** From the request's arrival to the end (or reset) of the response, ms. */
  readonly durationMs: number;
  /** The request stream's ID (a push stream's for pushed responses). */
  readonly streamId: number;
  /** Set for pushed responses (RFC 9114 §4.6). */
  readonly pushId: number | undefined;
  /** The request arrived in 0-RTT (RFC 9001 §4.6). */
  readonly earlyData: boolean;
  /** How the exchange ended abnormally: the H3 error code of a reset, in either direction. */
  readonly resetCode: number | undefined;
  readonly userAgent: string | undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `10/Oct/2000:13:55:36 +0000` (Common Log Format time, UTC). */
function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

function quoted(value: string | undefined): string {
  if (value === undefined) return '-';
  let out = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    // no control characters in a log line (log injection); quotes and backslashes escaped
    out += c < 0x20 || c === 0x7f ? '?' : ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `"${out}"`;
}

/**
 * One access-log line in a Combined-Log-Format-like layout, with HTTP/3 details at the end:
 * `127.0.0.1 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/3" 200 2326 "curl/8" 1.2ms stream=0 0rtt`.
 */
export function formatAccessLogLine(e: AccessLogEntry): string {
  const status = e.status === 0 ? '-' : String(e.status);
  let line = `${e.remoteAddress.address} - - [${clfTime(e.timeEpochMs)}] "${e.method} ${e.path.replace(/[\s"]/g, encodeURIComponent)} HTTP/3" ${status} ${e.bytesSent} ${quoted(e.userAgent)} ${e.durationMs.toFixed(1)}ms stream=${e.streamId}`;
  if (e.pushId !== undefined) line += ` push=${e.pushId}`;
  if (e.earlyData) line += ' 0rtt';
  if (e.resetCode !== undefined) line += ` reset=0x${e.resetCode.toString(16)}`;
  return line;
}
