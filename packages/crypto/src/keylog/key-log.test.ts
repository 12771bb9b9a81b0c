import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKeyLogLine, KeyLogFormatError, KeyLogLabel, parseKeyLog, parseKeyLogLine } from './key-log.js';
import { createKeyLogFileWriter } from './key-log-file.js';

const random = Uint8Array.from({ length: 32 }, (_, i) => i);
const secret = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));
const randomHex = Buffer.from(random).toString('hex');
const secretHex = Buffer.from(secret).toString('hex');

describe('key log lines', () => {
  it('formats "<label> <client_random> <secret>" in lowercase hex without a newline', () => {
    expect(formatKeyLogLine(KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET, random, secret)).toBe(
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${randomHex} ${secretHex}`,
    );
    expect(formatKeyLogLine(KeyLogLabel.SERVER_TRAFFIC_SECRET_0, random, new Uint8Array(48).fill(0xab))).toBe(
      `SERVER_TRAFFIC_SECRET_0 ${randomHex} ${'ab'.repeat(48)}`,
    );
  });

  it('has the five TLS 1.3 traffic secret labels and the exporter label', () => {
    expect(Object.values(KeyLogLabel).sort()).toEqual([
      'CLIENT_EARLY_TRAFFIC_SECRET',
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_TRAFFIC_SECRET_0',
    ]);
  });

  it('refuses a client random that is not 32 bytes', () => {
    expect(() => formatKeyLogLine(KeyLogLabel.EXPORTER_SECRET, random.subarray(1), secret)).toThrow(RangeError);
  });

  it('parses a key log with comments, blank lines, CRLF and uppercase hex', () => {
    const text = [
      '# SSL/TLS secrets log file',
      '',
      `CLIENT_EARLY_TRAFFIC_SECRET ${randomHex} ${secretHex}\r`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${randomHex.toUpperCase()}  ${'CD'.repeat(48)}`,
    ].join('\n');
    const entries = parseKeyLog(text);
    expect(entries.length).toBe(2);
    expect(entries[0].label).toBe('CLIENT_EARLY_TRAFFIC_SECRET');
    expect(Buffer.from(entries[0].clientRandom).toString('hex')).toBe(randomHex);
    expect(Buffer.from(entries[0].secret).toString('hex')).toBe(secretHex);
    expect(entries[1].secret.length).toBe(48);
  });

  it('every truncation of a line throws KeyLogFormatError with the line number', () => {
    const line = formatKeyLogLine(KeyLogLabel.CLIENT_TRAFFIC_SECRET_0, random, secret);
    for (let n = 1; n < line.length; n++) {
      let caught: unknown;
      try {
        parseKeyLogLine(line.slice(0, n), 7);
      } catch (e) {
        caught = e;
      }
      expect(caught, `length ${n}`).toBeInstanceOf(KeyLogFormatError);
      expect((caught as KeyLogFormatError).line).toBe(7);
    }
    expect(() => parseKeyLog(`# ok\n${line}\n${line.slice(0, 40)}`)).toThrow(expect.objectContaining({ line: 3 }));
  });

  it('refuses bad labels, odd or non-hex digits, extra fields and wrong lengths', () => {
    for (const bad of [
      `client_traffic ${randomHex} ${secretHex}`,
      `CLIENT_TRAFFIC_SECRET_0 ${randomHex}0 ${secretHex}`,
      `CLIENT_TRAFFIC_SECRET_0 ${randomHex} ${secretHex}0`,
      `CLIENT_TRAFFIC_SECRET_0 ${randomHex} ${secretHex.replace('a', 'g')}`,
      `CLIENT_TRAFFIC_SECRET_0 ${randomHex} ${secretHex} extra`,
      `CLIENT_TRAFFIC_SECRET_0 ${randomHex} ${'00'.repeat(64)}`,
    ]) {
      expect(() => parseKeyLogLine(bad)).toThrow(KeyLogFormatError);
    }
  });

  it('format → parse round-trips (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(KeyLogLabel)),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 48, maxLength: 48 })),
        (label, r, s) => {
          const entry = parseKeyLogLine(formatKeyLogLine(label, r, s));
          expect(entry?.label).toBe(label);
          expect(Buffer.from(entry!.clientRandom).equals(Buffer.from(r))).toBe(true);
          expect(Buffer.from(entry!.secret).equals(Buffer.from(s))).toBe(true);
        },
      ),
    );
  });
});

describe('createKeyLogFileWriter', () => {
  it('appends one line per call to a 0600 file and stops after close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fos-keylog-'));
    try {
      const path = join(dir, 'keys.log');
      const first = createKeyLogFileWriter(path);
      first.write(formatKeyLogLine(KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET, random, secret));
      first.close();
      first.write('dropped after close');
      first.close(); // idempotent
      const second = createKeyLogFileWriter(path); // appends, does not truncate
      second.write(formatKeyLogLine(KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET, random, secret));
      second.close();
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(parseKeyLog(text).map((e) => e.label)).toEqual([
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      ]);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
