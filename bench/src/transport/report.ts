// Transport report (issue 4): handshake time of a new connection, heap per idle connection, and bulk goodput between
// two processes, for our QUIC client and server over real UDP on loopback, run from the build output. Run with
// `npm run bench:transport -w @fos/bench` (part of the root `npm run bench`, whose interop part measures gtlsclient ←
// gtlsserver / caddy in the same run). Env: FOS_BENCH_HANDSHAKES (200), FOS_BENCH_IDLE (1000), FOS_BENCH_MIB (100),
// FOS_BENCH_RUNS (3). Two baselines run beside our figures: the platform's ceiling for any node:crypto + node:dgram
// sender/receiver pair (./ceiling.ts) and packet protection alone next to the sans-I/O protocol core
// (./core-pump.ts).
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { registerCubic } from '@fos/congestion-cubic';
import { createContainer, type DependencyContainer, registerCore, SystemClock } from '@fos/core';
import { type GeneratedCertificate, generateSelfSignedCertificate, registerCrypto } from '@fos/crypto';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint } from '@fos/quic';
import { registerUdp } from '@fos/udp';
import { type CeilingResult, measureCeiling } from './ceiling.js';
import { measureCorePump } from './core-pump.js';

const MIB = 1024 * 1024;
const ALPN = 'fos-bench';

function container(role: 'client' | 'server', cert: GeneratedCertificate): DependencyContainer {
  const c = createContainer();
  registerCore(c, { clock: new SystemClock() });
  registerUdp(c);
  registerCrypto(c, {
    tls:
      role === 'server'
        ? { certificates: [{ chain: cert.certPem, key: cert.keyPem }] }
        : { verify: { ca: cert.certPem } },
  });
  registerCubic(c);
  return c;
}

async function endpoints(cert: GeneratedCertificate): Promise<{ server: QuicEndpoint; client: QuicEndpoint }> {
  const server = await createQuicEndpoint(container('server', cert), {
    bind: { address: '127.0.0.1', port: 0 },
    server: { alpn: ALPN },
  });
  const client = await createQuicEndpoint(container('client', cert), { bind: { address: '127.0.0.1', port: 0 } });
  return { server, client };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/**
 * Time from `connect()` to handshake complete, client and server in this process, loopback. `resume: false` is a
 * full handshake (certificate, CertificateVerify signed and verified); `resume: true` offers the ticket of the
 * previous connection (PSK with (EC)DHE, RFC 8446 §2.2: no certificate).
 */
async function handshakes(cert: GeneratedCertificate, n: number, resume: boolean): Promise<number[]> {
  const { server, client } = await endpoints(cert);
  const times: number[] = [];
  const open: QuicConnection[] = [];
  for (let i = 0; i < n + 10; i++) {
    const t0 = performance.now();
    const conn = await client.connect({
      address: '127.0.0.1',
      port: server.address.port,
      alpn: ALPN,
      serverName: 'localhost',
      resume,
    });
    if (resume && i >= 10 && !conn.resumed) throw new Error('the resumed handshake did not resume');
    if (i >= 10) times.push(performance.now() - t0); // the first ones warm up the JIT
    open.push(conn);
    if (open.length > 20) void open.shift()?.close(0, '');
  }
  await Promise.all(open.map((c) => c.close(0, '')));
  await Promise.all([client.close({ waitMs: 0 }), server.close({ waitMs: 0 })]);
  return times;
}

/** Heap per idle established connection (client and server side each), over `n` connections. */
async function idleHeap(cert: GeneratedCertificate, n: number): Promise<{ perSideKiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const { server, client } = await endpoints(cert);
  const conns: QuicConnection[] = [];
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    conns.push(
      // Full handshakes: a resumed session keeps no certificate, so it would understate the heap.
      await client.connect({
        address: '127.0.0.1',
        port: server.address.port,
        alpn: ALPN,
        serverName: 'localhost',
        resume: false,
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 500)); // NEW_CONNECTION_ID, tickets, ACKs settle
  gc?.();
  const after = process.memoryUsage().heapUsed;
  await Promise.all([client.close({ waitMs: 0 }), server.close({ waitMs: 0 })]);
  return { perSideKiB: (after - before) / n / 2 / 1024 };
}

interface BulkResult {
  readonly ms: number;
  readonly clientCpuMs: number;
  readonly serverCpuMs: number;
}

/** The server half of the two-process bulk test: sends `mib` MiB on each stream the client opens. */
async function bulkServer(mib: number): Promise<void> {
  const cert = JSON.parse(process.env.FOS_BENCH_CERT ?? '{}') as GeneratedCertificate;
  const server = await createQuicEndpoint(container('server', cert), {
    bind: { address: '127.0.0.1', port: 0 },
    server: { alpn: ALPN },
  });
  const chunk = new Uint8Array(MIB).fill(0x5a);
  server.connections$.subscribe((conn) => {
    conn.incomingStreams$.subscribe((stream) => {
      void (async () => {
        const cpu0 = process.cpuUsage();
        await stream.read();
        for (let sent = 0; sent < mib; sent++) await stream.write(chunk);
        await stream.end();
        await conn.closed;
        const cpu = process.cpuUsage(cpu0);
        process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 });
      })();
    });
  });
  process.send?.({ port: server.address.port });
}

async function bulk(cert: GeneratedCertificate, mib: number): Promise<BulkResult> {
  // Runs from the build output (bench/dist): a benchmark must not measure a dev-time module loader.
  const child = fork(fileURLToPath(import.meta.url), ['server', String(mib)], {
    env: { ...process.env, FOS_BENCH_CERT: JSON.stringify(cert) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const client = await createQuicEndpoint(container('client', cert), { bind: { address: '127.0.0.1', port: 0 } });
    const conn = await client.connect({ address: '127.0.0.1', port, alpn: ALPN, serverName: 'localhost' });
    const stream = await conn.openBidirectionalStream();
    const serverCpu = new Promise<number>((resolve) =>
      child.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs)),
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await stream.end(new TextEncoder().encode('GET'));
    const hash = createHash('sha256');
    let received = 0;
    for await (const part of stream) {
      hash.update(part);
      received += part.length;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (received !== mib * MIB) throw new Error(`received ${received} of ${mib * MIB} bytes`);
    const expected = createHash('sha256');
    const chunk = new Uint8Array(MIB).fill(0x5a);
    for (let i = 0; i < mib; i++) expected.update(chunk);
    if (hash.digest('hex') !== expected.digest('hex')) throw new Error('content mismatch');
    await conn.close(0, 'done');
    const serverCpuMs = await serverCpu;
    await client.close({ waitMs: 0 });
    return { ms, clientCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs };
  } finally {
    child.kill();
  }
}

async function main(args: string[]): Promise<number> {
  if (args[0] === 'server') {
    await bulkServer(Number(args[1]));
    return new Promise<number>(() => undefined); // serves until the parent kills it
  }
  const cert = await generateSelfSignedCertificate();
  const nHandshakes = Number(process.env.FOS_BENCH_HANDSHAKES ?? 200);
  const nIdle = Number(process.env.FOS_BENCH_IDLE ?? 1000);
  const mib = Number(process.env.FOS_BENCH_MIB ?? 100);
  const runs = Number(process.env.FOS_BENCH_RUNS ?? 3);

  const hs = await handshakes(cert, nHandshakes, false);
  const hsResumed = await handshakes(cert, nHandshakes, true);
  const heap = await idleHeap(cert, nIdle);
  const bulkRuns: BulkResult[] = [];
  for (let i = 0; i < runs; i++) bulkRuns.push(await bulk(cert, mib));
  const ms = median(bulkRuns.map((r) => r.ms));
  const ceilingRuns: CeilingResult[] = [];
  for (let i = 0; i < runs; i++) ceilingRuns.push(await measureCeiling(mib));
  const ceiling = ceilingRuns.map((r) => r.mib / (r.ms / 1000)).sort((a, b) => a - b)[ceilingRuns.length >> 1];
  const core = measureCorePump(cert, Math.min(mib, 50));
  const goodput = mib / (ms / 1000);
  const rows = [
    '| measure | result |',
    '|---|---|',
    `| handshake, new connection, full (certificate), one process, loopback (${hs.length}) | median ${median(hs).toFixed(2)} ms, p10 ${quantile(hs, 0.1).toFixed(2)}, p90 ${quantile(hs, 0.9).toFixed(2)} |`,
    `| handshake, new connection, resumed (ticket, no 0-RTT), one process, loopback (${hsResumed.length}) | median ${median(hsResumed).toFixed(2)} ms, p10 ${quantile(hsResumed, 0.1).toFixed(2)}, p90 ${quantile(hsResumed, 0.9).toFixed(2)} |`,
    `| heap per idle established connection (${nIdle}, per side) | ${heap.perSideKiB.toFixed(1)} KiB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: approximate)'} |`,
    `| ${mib} MiB our client ← our server, two processes (median of ${runs}) | ${goodput.toFixed(1)} MiB/s, ${ms.toFixed(0)} ms, CPU client ${median(bulkRuns.map((r) => r.clientCpuMs)).toFixed(0)} ms + server ${median(bulkRuns.map((r) => r.serverCpuMs)).toFixed(0)} ms |`,
    `| baseline: JS platform ceiling, ${mib} MiB of bare seal+mask+send → recv+mask+open, two processes (median of ${runs}) | ${ceiling.toFixed(1)} MiB/s (ours = ${(goodput / ceiling).toFixed(2)}×), CPU sender ${median(ceilingRuns.map((r) => r.senderCpuMs)).toFixed(0)} ms + receiver ${median(ceilingRuns.map((r) => r.receiverCpuMs)).toFixed(0)} ms, lost ${median(ceilingRuns.map((r) => r.lost))} |`,
    `| protocol core, sans-I/O, server → client Connection in one process (${core.packets} packets) | ${core.usPerPacket.toFixed(1)} µs per packet for both sides; packet protection alone ${core.protectionUsPerPacket.toFixed(1)} µs (QUIC logic ${(core.usPerPacket - core.protectionUsPerPacket).toFixed(1)} µs) |`,
  ];
  console.info(`\nQUIC transport (CUBIC, ${new Date().toISOString()})\n\n${rows.join('\n')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
