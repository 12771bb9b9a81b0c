// The Quickstart demo (`npm start`). Until the HTTP/3 pieces land it exercises the foundation:
//  1. real UDP on loopback: NodeUdpSocket + PoolAllocator + SystemClock, composed in a DI container;
//  2. the same echo code on a lossy MemoryNetwork with a VirtualClock — only the registration lines differ —,
//     run twice from one seed to show that a simulated scenario replays exactly.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import {
  BufferAllocator,
  Clock,
  createContainer,
  DatagramSocket,
  type DependencyContainer,
  registerCore,
  resolve,
  type SocketAddress,
  VirtualClock,
} from '@fos/core';
import { MemoryNetwork, type NetworkTraceEvent, registerMemoryNetwork, registerUdp } from '@fos/udp';

const COUNT = 2000;
const WINDOW = 16; // datagrams in flight: libuv reads at most 32 per socket per event-loop turn

interface EchoResult {
  sent: number;
  echoed: number;
  intact: number;
  lost: number;
  rttMs: number[];
  elapsedMs: number;
}

/** Sends COUNT numbered datagrams through an echo server, WINDOW at a time; works on any DatagramSocket plugin. */
async function echoRun(c: DependencyContainer, host: string, settle: (done: () => boolean) => Promise<void>) {
  const clock = resolve(c, Clock);
  const server = resolve(c, DatagramSocket);
  const client = resolve(c, DatagramSocket);
  const serverAddress: SocketAddress = await server.bind({ address: host, port: 0 });
  await client.bind({ address: host, port: 0 });
  server.datagrams$.subscribe((d) => server.send(d.data, d.remote));

  const result: EchoResult = { sent: 0, echoed: 0, intact: 0, lost: 0, rttMs: [], elapsedMs: 0 };
  const sentAt = new Map<number, number>();
  const start = clock.now();
  const payload = new Uint8Array(1200);
  const view = new DataView(payload.buffer);
  const sendNext = () => {
    if (result.sent >= COUNT) return;
    const seq = result.sent++;
    view.setUint32(0, seq);
    payload.fill(seq & 0xff, 4);
    sentAt.set(seq, clock.now());
    client.send(payload, serverAddress);
  };
  client.datagrams$.subscribe((d) => {
    const seq = new DataView(d.data.buffer, d.data.byteOffset).getUint32(0);
    const t = sentAt.get(seq);
    if (t === undefined) return; // a duplicate
    sentAt.delete(seq);
    result.echoed++;
    result.rttMs.push(d.receivedAt - t);
    if (d.data.length === 1200 && d.data.subarray(4).every((b) => b === (seq & 0xff))) result.intact++;
    sendNext();
  });
  // A datagram not echoed within 500 ms counts as lost; its window slot goes to the next one.
  let lost = 0;
  const lossTimer = clock.createTimer(() => {
    for (const [seq, t] of sentAt) {
      if (clock.now() - t < 500) continue;
      sentAt.delete(seq);
      lost++;
      sendNext();
    }
    if (result.sent < COUNT || sentAt.size > 0) lossTimer.set(clock.now() + 100);
  });
  lossTimer.set(clock.now() + 100);
  for (let i = 0; i < WINDOW; i++) sendNext();
  await settle(() => result.sent >= COUNT && sentAt.size === 0);
  lossTimer.clear();
  result.lost = lost;
  result.elapsedMs = clock.now() - start;
  await Promise.all([client.close(), server.close()]);
  return result;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : Number.NaN;
}

function report(label: string, r: EchoResult): void {
  const rtt = [...r.rttMs].sort((a, b) => a - b);
  console.log(
    `${label}: ${r.echoed}/${r.sent} echoed (${r.intact} intact, ${r.lost} lost), ` +
      `RTT p50 ${pct(rtt, 0.5).toFixed(3)} ms, p99 ${pct(rtt, 0.99).toFixed(3)} ms, in ${r.elapsedMs.toFixed(1)} ms`,
  );
}

async function realUdp(): Promise<void> {
  const c = registerUdp(registerCore(createContainer(), { allocator: { bufferSize: 2048, strict: true } }));
  const r = await echoRun(c, '127.0.0.1', async (done) => {
    const deadline = Date.now() + 5000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  });
  report('  NodeUdpSocket, 127.0.0.1', r);
  const pool = resolve(c, BufferAllocator).stats();
  console.log(`  buffer pool: ${pool.hits} hits, ${pool.misses} misses, ${pool.inUse} in use after close`);
}

async function simulated(seed: number): Promise<{ result: EchoResult; traceHash: string; drops: number }> {
  const clock = new VirtualClock();
  const hash = createHash('sha256');
  let drops = 0;
  const network = new MemoryNetwork({
    clock,
    seed,
    defaultLink: {
      delayMs: 25,
      jitterMs: 5,
      lossRate: 0.02,
      burstLoss: { p: 0.002, r: 0.3 },
      duplicateRate: 0.01,
      rateBps: 20_000_000,
      queueBytes: 30_000,
    },
    onTrace: (e: NetworkTraceEvent) => {
      hash.update(`${e.time}|${e.id}|${e.from}|${e.to}|${e.size}|${e.fate}|${e.deliverAt ?? ''}|${e.corrupted}\n`);
      if (e.fate !== 'delivered' && e.fate !== 'scheduled') drops++;
    },
  });
  const c = registerMemoryNetwork(registerCore(createContainer(), { clock }), { network, host: '10.0.0.1' });
  const result = await echoRun(c, '10.0.0.1', async (done) => {
    await clock.runUntil(done, 60_000);
  });
  return { result, traceHash: hash.digest('hex').slice(0, 16), drops };
}

async function main(): Promise<void> {
  console.log('fos demo: the foundation (the HTTP/3 demo replaces this once the transport lands)\n');
  console.log('1. Real UDP (registerCore + registerUdp):');
  await realUdp();

  console.log('\n2. The same code on MemoryNetwork + VirtualClock (registerMemoryNetwork), 25 ms ± 5 ms, 2% loss,');
  console.log('   burst loss, 1% duplication, 20 Mbit/s bottleneck — run twice with seed 7, once with seed 8:');
  const wall = performance.now();
  const a = await simulated(7);
  const b = await simulated(7);
  const other = await simulated(8);
  for (const [label, run] of [
    ['seed 7, run 1', a],
    ['seed 7, run 2', b],
    ['seed 8       ', other],
  ] as const) {
    report(`  ${label}`, run.result);
    console.log(`    ${run.drops} datagrams dropped by the network; trace sha256 ${run.traceHash}`);
  }
  console.log(
    `  same seed, same trace: ${a.traceHash === b.traceHash ? 'yes' : 'NO'}; ` +
      `different seed, different trace: ${a.traceHash !== other.traceHash ? 'yes' : 'NO'}; ` +
      `${((3 * a.result.elapsedMs) / 1000).toFixed(1)} s of virtual time in ${((performance.now() - wall) / 1000).toFixed(2)} s`,
  );
  if (a.traceHash !== b.traceHash) process.exitCode = 1;
}

await main();
