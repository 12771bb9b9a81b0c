import {
  AbortError,
  ConnectionRefusedError,
  DnsError,
  H3ConnectError,
  NetworkError,
  ProtocolError,
  RedirectError,
  StreamResetError,
  TimeoutError,
  TlsHandshakeError,
  TlsVerificationError,
} from '@fos/client';
import { describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { describeFailure } from './failure.js';

describe('describeFailure', () => {
  it.each([
    [new DnsError('a.test', 'ENOTFOUND'), ExitCode.DNS, /^could not resolve host: /],
    [new ConnectionRefusedError('127.0.0.1:1'), ExitCode.CONNECT, /^connection refused: /],
    [
      new H3ConnectError('no-response', 'no QUIC reply'),
      ExitCode.CONNECT,
      /^HTTP\/3 connection failed: no QUIC reply$/,
    ],
    [
      new TlsVerificationError('expired', 'a.test', 'expired'),
      ExitCode.TLS_VERIFY,
      /^TLS certificate verification failed: .*expired/,
    ],
    [new TlsHandshakeError('a.test', 'alert'), ExitCode.TLS_HANDSHAKE, /^TLS handshake failed: /],
    [new TimeoutError('total', 1000), ExitCode.TIMEOUT, /^timed out: total timeout after 1000 ms$/],
    [new AbortError(), ExitCode.INTERRUPTED, /^interrupted$/],
    [new ProtocolError('bad frame'), ExitCode.PROTOCOL, /^bad frame$/],
    [new StreamResetError('h3', 0x102, false), ExitCode.RECEIVE, /stream reset/],
    [new NetworkError('CONNECTION_RESET', 'gone\nsecond line'), ExitCode.RECEIVE, /^gone second line$/],
    [new RedirectError('TOO_MANY_REDIRECTS', 'too many', undefined), ExitCode.REDIRECT, /^too many$/],
  ] as const)('%s → exit %i', (error, exitCode, reason) => {
    const f = describeFailure(error);
    expect(f.exitCode).toBe(exitCode);
    expect(f.reason).toMatch(reason);
    expect(f.reason).not.toContain('\n');
  });

  it('output errors are write failures; anything else is exit 1', () => {
    expect(describeFailure(Object.assign(new Error('x'), { code: 'ENOSPC' })).exitCode).toBe(ExitCode.WRITE);
    expect(describeFailure(new Error('weird'))).toEqual({ exitCode: ExitCode.FAILURE, reason: 'weird' });
  });
});
