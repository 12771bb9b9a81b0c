import { describe, expect, it } from 'vitest';
import { parseCaddyAccessLine, parseCaddyLog, renderCaddyfile } from './caddy.js';

// Real lines from Caddy 2.6.2's stderr (trimmed headers).
const H3_LINE =
  '{"level":"info","ts":1795601664.4564583,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"47907","proto":"HTTP/3.0","method":"GET","host":"127.0.0.1:8443","uri":"/1k.bin","headers":{"User-Agent":["nghttp3/ngtcp2 client"]}},"user_id":"","duration":0.008190317,"size":1024,"status":200,"resp_headers":{"Server":["Caddy"]}}';
const STARTUP_LINE =
  '{"level":"info","ts":1795601662.9575129,"logger":"http","msg":"enabling HTTP/3 listener","addr":"127.0.0.1:8443"}';

describe('renderCaddyfile', () => {
  it('renders the offline PEERS.md §2 configuration with the given cert, port and docroot', () => {
    const text = renderCaddyfile({
      port: 8443,
      docroot: '/srv/www',
      hosts: ['127.0.0.1', '::1'],
      http3: true,
      cert: { certPath: '/c/cert.pem', keyPath: '/c/key.pem' },
    });
    for (const directive of [
      'admin off',
      'auto_https disable_redirects',
      'skip_install_trust',
      'local_certs',
      'default_sni 127.0.0.1',
      'protocols h1 h2 h3',
      'https://127.0.0.1:8443, https://localhost:8443, https://[::1]:8443 {',
      'bind 127.0.0.1 [::1]',
      'tls /c/cert.pem /c/key.pem',
      'root * /srv/www',
      'file_server',
      'output stderr',
    ]) {
      expect(text).toContain(directive);
    }
    // Braces balance.
    expect(text.split('{').length).toBe(text.split('}').length);
  });

  it('without http3 serves only h1 + h2; without a cert uses its internal CA; IPv4 only has no [::1] site', () => {
    const text = renderCaddyfile({ port: 9000, docroot: '/d', hosts: ['127.0.0.1'], http3: false });
    expect(text).toContain('protocols h1 h2\n');
    expect(text).not.toContain('h3');
    expect(text).toContain('tls internal');
    expect(text).not.toContain('[::1]');
  });
});

describe('Caddy access log parsing', () => {
  it('parses a handled-request line', () => {
    expect(parseCaddyAccessLine(H3_LINE)).toMatchObject({
      proto: 'HTTP/3.0',
      method: 'GET',
      host: '127.0.0.1:8443',
      uri: '/1k.bin',
      remoteIp: '127.0.0.1',
      status: 200,
      size: 1024,
    });
  });

  it('ignores other log lines, non-JSON and truncated JSON', () => {
    expect(parseCaddyAccessLine(STARTUP_LINE)).toBeUndefined();
    expect(parseCaddyAccessLine('caddy state: /tmp/x')).toBeUndefined();
    for (let cut = 1; cut < H3_LINE.length; cut += 37) {
      expect(parseCaddyAccessLine(H3_LINE.slice(0, cut))).toBeUndefined();
    }
  });

  it('parseCaddyLog picks the access entries out of mixed stderr text', () => {
    const entries = parseCaddyLog([STARTUP_LINE, H3_LINE, 'junk', H3_LINE.replace('HTTP/3.0', 'HTTP/2.0')].join('\n'));
    expect(entries.map((e) => e.proto)).toEqual(['HTTP/3.0', 'HTTP/2.0']);
  });
});
