/**
 * RFC 9110 §5.6.7: an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers send in `date` and
 * `last-modified`.
 */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/**
 * RFC 9110 §5.6.7: parses an HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms, which recipients
 * must accept). Returns epoch ms at second precision, or undefined when it is not a date.
 */
export function parseHttpDate(value: string): number | undefined {
  const v = value.trim();
  // IMF-fixdate / RFC 850 / asctime all parse with Date.parse in V8; insist on a day-name prefix to reject numbers.
  if (!/^[A-Za-z]{3,9},? /.test(v)) return undefined;
  // asctime carries no zone: it is UTC (RFC 9110 §5.6.7)
  const ms = Date.parse(v.endsWith('GMT') ? v : `${v} GMT`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Caches the `date` header value for the current second. */
export class DateHeaderCache {
  private second = -1;
  private value = '';

  get(epochMs: number): string {
    const s = Math.floor(epochMs / 1000);
    if (s !== this.second) {
      this.second = s;
      this.value = httpDate(s * 1000);
    }
    return this.value;
  }
}
