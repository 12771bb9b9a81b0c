import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeProcAddress,
  findBound,
  parseProcNet,
  parseStatCpuTicks,
  portSharers,
  processCpuMs,
  socketInodes,
  TCP_LISTEN,
} from './proc-net.js';

// Lines as the kernel prints them (Debian 12, 6.x): a gtlsserver on 127.0.0.1:4433 and Caddy on [::1]:8443.
const UDP4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 9958: 0100007F:1151 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 68472 2 0000000037ed9564 0
 bogus line
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:20FB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 92686 1 00000000ad1d066d 100 0 0 10 0
`;

describe('decodeProcAddress', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['0101A8C0', '192.168.1.1'],
    ['00000000000000000000000001000000', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['000080FE00000000FF005452AF8F0CFE', 'fe80::5254:ff:fe0c:8faf'],
    ['B80D0120020001000400030006000500', '2001:db8:1:2:3:4:5:6'],
    // RFC 5952 §4.2.2: a single zero group is not compressed
    ['B80D0120010000000100010001000100', '2001:db8:0:1:1:1:1:1'],
  ])('%s → %s', (hex, text) => {
    expect(decodeProcAddress(hex)).toBe(text);
  });

  it('rejects a length that is neither IPv4 nor IPv6', () => {
    expect(() => decodeProcAddress('0100007F00')).toThrow(RangeError);
  });
});

describe('parseProcNet', () => {
  it('parses kernel lines and skips malformed ones', () => {
    expect(parseProcNet(UDP4, 'udp', 4)).toEqual([
      {
        protocol: 'udp',
        family: 4,
        localAddress: '127.0.0.1',
        localPort: 4433,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        inode: 68472,
      },
    ]);
    const [tcp] = parseProcNet(TCP6, 'tcp', 6);
    expect(tcp).toMatchObject({ localAddress: '::1', localPort: 8443, state: TCP_LISTEN, inode: 92686 });
  });

  it('returns nothing for the header alone or empty text', () => {
    expect(parseProcNet('', 'udp', 4)).toEqual([]);
    expect(parseProcNet(UDP4.split('\n')[0], 'udp', 4)).toEqual([]);
  });
});

describe('sockets of a live process', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  async function udp(host: string): Promise<Socket> {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => s.bind(0, host, () => r()));
    closers.push(() => new Promise<void>((r) => s.close(() => r())));
    return s;
  }

  it('findBound sees this process’s UDP socket and TCP listener, and nothing on an unused port', async () => {
    const u = await udp('127.0.0.1');
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const uport = u.address().port;
    const tport = (server.address() as { port: number }).port;
    const [us, ts, none] = findBound(process.pid, [
      { protocol: 'udp', port: uport, address: '127.0.0.1' },
      { protocol: 'tcp', port: tport, address: '127.0.0.1' },
      { protocol: 'tcp', port: uport, address: '127.0.0.1' },
    ]);
    expect(us?.localPort).toBe(uport);
    expect(ts?.state).toBe(TCP_LISTEN);
    expect(none).toBeUndefined();
    expect(socketInodes(process.pid).has(us?.inode ?? -1)).toBe(true);
  });

  it('portSharers lists another process’s socket on the port, never the process’s own', async () => {
    const u = await udp('127.0.0.1');
    const spec = { protocol: 'udp' as const, port: u.address().port, address: '127.0.0.1' };
    expect(portSharers(process.pid, spec)).toEqual([]);
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const others = portSharers(child.pid as number, spec);
      expect(others.map((s) => s.localPort)).toEqual([spec.port]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a process that is gone holds no sockets', () => {
    expect(socketInodes(2 ** 22 + 12345).size).toBe(0);
    expect(findBound(2 ** 22 + 12345, [{ protocol: 'udp', port: 1 }])).toEqual([undefined]);
  });
});

describe('CPU time from /proc/<pid>/stat', () => {
  it('reads utime + stime after a command name containing ") " and spaces', () => {
    // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (we) ird name) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0 12345 0 0';
    expect(parseStatCpuTicks(stat)).toBe(42);
    expect(() => parseStatCpuTicks('garbage')).toThrow(RangeError);
  });

  it('is a number for this process and undefined for a pid that does not exist', () => {
    const ms = processCpuMs(process.pid);
    expect(typeof ms).toBe('number');
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(processCpuMs(2 ** 22 + 12345)).toBeUndefined();
  });
});
