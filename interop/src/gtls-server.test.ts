import { describe, expect, it } from 'vitest';
import { gtlsServerArgs } from './gtls-server.js';

describe('gtlsserver arguments', () => {
  it('ends with ADDR PORT KEY CERT (key before cert) and is quiet by default', () => {
    const args = gtlsServerArgs(
      { docroot: '/www', cert: { certPath: '/c/cert.pem', keyPath: '/c/key.pem' } },
      4433,
      undefined,
    );
    expect(args[0]).toBe('-q');
    expect(args.slice(-4)).toEqual(['127.0.0.1', '4433', '/c/key.pem', '/c/cert.pem']);
    expect(args).toContain('/www');
  });

  it('maps Retry, groups, ciphers, qlog, verbose log and secrets', () => {
    const args = gtlsServerArgs(
      {
        docroot: '/www',
        cert: { certPath: 'c', keyPath: 'k' },
        host: '::1',
        retry: true,
        groups: '-GROUP-ALL:+GROUP-SECP384R1',
        ciphers: 'NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305',
        qlogDir: '/q',
        showSecrets: true,
      },
      5000,
      '/log',
    );
    expect(args).not.toContain('-q');
    expect(args).toEqual(
      expect.arrayContaining([
        '--no-quic-dump',
        '--no-http-dump',
        '-s',
        '-V',
        '--groups=-GROUP-ALL:+GROUP-SECP384R1',
        '--ciphers=NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305',
        '--qlog-dir=/q',
      ]),
    );
    expect(args.slice(-4)).toEqual(['::1', '5000', 'k', 'c']);
  });
});
