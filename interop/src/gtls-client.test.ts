import { describe, expect, it } from 'vitest';
import { gtlsClientArgs, parseTimeOutput } from './gtls-client.js';

describe('gtlsclient arguments', () => {
  it('defaults to -q --exit-on-all-streams-close and puts HOST PORT URLs last', () => {
    const args = gtlsClientArgs({ host: '127.0.0.1', port: 4433, urls: ['https://127.0.0.1:4433/a'] }, undefined);
    expect(args.slice(0, 2)).toEqual(['-q', '--exit-on-all-streams-close']);
    expect(args.slice(-3)).toEqual(['127.0.0.1', '4433', 'https://127.0.0.1:4433/a']);
  });

  it('maps resumption, 0-RTT, key update and timeouts', () => {
    const args = gtlsClientArgs(
      {
        host: '::1',
        port: 1,
        urls: ['https://[::1]:1/x'],
        downloadDir: '/dl',
        sessionFile: '/s',
        tpFile: '/t',
        disableEarlyData: true,
        keyUpdate: '1ms',
        idleTimeout: '5s',
        handshakeTimeout: '2s',
        exitOnAllStreamsClose: false,
      },
      '/log',
    );
    expect(args).not.toContain('--exit-on-all-streams-close');
    expect(args).toEqual(
      expect.arrayContaining([
        '--no-quic-dump',
        '--download=/dl',
        '--session-file=/s',
        '--tp-file=/t',
        '--disable-early-data',
        '--key-update=1ms',
        '--timeout=5s',
        '--handshake-timeout=2s',
      ]),
    );
  });
});

describe('parseTimeOutput', () => {
  it('reads GNU time -f "%U %S %M" (last line; earlier lines may be a signal notice)', () => {
    expect(parseTimeOutput('0.25 0.10 10240\n')).toEqual({
      userMs: 250,
      systemMs: 100,
      totalMs: 350,
      maxRssKiB: 10240,
    });
    expect(parseTimeOutput('Command terminated by signal 15\n0.01 0.00 4000\n')?.totalMs).toBe(10);
    expect(parseTimeOutput('')).toBeUndefined();
    expect(parseTimeOutput('garbage')).toBeUndefined();
  });
});
