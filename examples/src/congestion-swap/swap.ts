// The congestion-controller swap: the same QUIC client, composed in a DI container, uploads over the same simulated
// bottleneck — once with NewReno, once with CUBIC, once with a user-written fixed-window controller, and once with
// nothing registered (the composition falls back to CUBIC, the default). The only line that differs is the register
// call handed in as `choose`.
import { defaultCongestionControllerFactory, registerCubic } from '@fos/congestion-cubic';
import { registerNewReno } from '@fos/congestion-newreno';
import {
  CongestionControllerFactory,
  createContainer,
  type DependencyContainer,
  registerCore,
  resolve,
  VirtualClock,
} from '@fos/core';
import { type GeneratedCertificate, generateSelfSignedCertificate, registerCrypto } from '@fos/crypto';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint, registerQuic } from '@fos/quic';
import { MemoryNetwork, registerMemoryNetwork } from '@fos/udp';
import { registerFixedWindow } from './fixed-window.js';

/** How a client picks its congestion controller: one `registerX(container)` line. */
export type ChooseController = (container: DependencyContainer) => void;

/** The four clients of the example. */
export const CHOICES: Readonly<Record<string, ChooseController>> = {
  newreno: (c) => registerNewReno(c),
  cubic: (c) => registerCubic(c),
  'fixed-window': (c) => registerFixedWindow(c, { windowPackets: 100 }),
  // Nothing registered: the composition root below falls back to CUBIC.
  default: () => {},
};

/** The simulated path: one bottleneck in the upload direction. */
export interface SwapPath {
  readonly rateMbps: number;
  readonly rttMs: number;
  readonly queueBytes: number;
  /** Random loss on the upload direction (0.002 = 0.2 %). */
  readonly lossRate: number;
  readonly seed: number;
}

export const DEFAULT_PATH: SwapPath = { rateMbps: 20, rttMs: 40, queueBytes: 50_000, lossRate: 0.002, seed: 1 };

export interface SwapResult {
  readonly choice: string;
  /** The `name` of the factory the client's container resolves. */
  readonly controller: string;
  readonly bytes: number;
  /** Virtual time from the first byte written to the server's confirmation, ms. */
  readonly elapsedMs: number;
  readonly goodputMbps: number;
  readonly packetsLost: number;
  readonly finalWindowBytes: number;
  /** The largest congestion window seen while uploading (sampled every 10 ms). */
  readonly maxWindowBytes: number;
}

/** 1200-byte datagrams (no path MTU probing beyond them), so that the numbers do not depend on PMTU discovery. */
const TRANSPORT = { maxDatagramSizeBytes: 1200 } as const;
const CLIENT_HOST = '10.0.0.1';
const SERVER_HOST = '10.0.0.2';
const ALPN = 'swap';
let certificate: Promise<GeneratedCertificate> | undefined;

/**
 * A client container — what an application's composition root looks like. `choose` is the one line that picks the
 * congestion controller; everything else is identical for every client.
 */
export function clientContainer(clock: VirtualClock, network: MemoryNetwork, caPem: string, choose: ChooseController) {
  const c = createContainer();
  registerCore(c, { clock });
  registerMemoryNetwork(c, { network, host: CLIENT_HOST });
  registerCrypto(c, { tls: { verify: { ca: caPem } } });
  choose(c); // ← registerNewReno(c) | registerCubic(c) | registerFixedWindow(c) | nothing
  registerQuic(c, { transport: TRANSPORT });
  // What the client and server composition roots do: CUBIC unless the application registered a controller.
  c.register(CongestionControllerFactory, { useValue: defaultCongestionControllerFactory(c) });
  return c;
}

/** Uploads `bytes` over a fresh simulated path with the client composed by `choose`. */
export async function upload(choice: string, bytes: number, path: SwapPath = DEFAULT_PATH): Promise<SwapResult> {
  const choose = CHOICES[choice];
  if (choose === undefined) throw new RangeError(`unknown choice ${choice}; one of ${Object.keys(CHOICES).join(', ')}`);
  certificate ??= generateSelfSignedCertificate();
  const cert = await certificate;
  const clock = new VirtualClock({ epochOffsetMs: Date.now() });
  const network = new MemoryNetwork({ clock, seed: path.seed, defaultLink: { delayMs: path.rttMs / 2 } });
  network.setLink(CLIENT_HOST, SERVER_HOST, {
    delayMs: path.rttMs / 2,
    rateBps: path.rateMbps * 1e6,
    queueBytes: path.queueBytes,
    lossRate: path.lossRate,
  });
  const run = <T>(p: Promise<T>) => settle(clock, p);

  const serverContainer = createContainer();
  registerCore(serverContainer, { clock });
  registerMemoryNetwork(serverContainer, { network, host: SERVER_HOST });
  registerCrypto(serverContainer, { tls: { certificates: [{ chain: cert.certPem, key: cert.keyPem }] } });
  registerCubic(serverContainer);
  registerQuic(serverContainer, { transport: TRANSPORT });
  const server = await createQuicEndpoint(serverContainer, { bind: { port: 443 }, server: { alpn: ALPN } });
  const received = serve(server);

  const container = clientContainer(clock, network, cert.certPem, choose);
  const client = await createQuicEndpoint(container);
  try {
    const conn = await run(client.connect({ address: SERVER_HOST, port: 443, alpn: ALPN, serverName: 'localhost' }));
    const start = clock.now();
    let maxWindow = 0;
    const sampler = clock.createTimer(function sample() {
      maxWindow = Math.max(maxWindow, conn.stats.congestionWindowBytes);
      sampler.set(clock.now() + 10);
    });
    sampler.set(start);
    const confirmed = await run(send(conn, bytes));
    sampler.clear();
    const elapsedMs = clock.now() - start;
    const got = await run(received);
    if (got !== bytes || confirmed !== bytes) throw new Error(`upload incomplete: ${got}/${bytes} bytes`);
    const stats = conn.stats;
    return {
      choice,
      controller: resolve(container, CongestionControllerFactory).name,
      bytes,
      elapsedMs,
      goodputMbps: (bytes * 8) / (elapsedMs * 1000),
      packetsLost: stats.packetsLost,
      finalWindowBytes: stats.congestionWindowBytes,
      maxWindowBytes: Math.max(maxWindow, stats.congestionWindowBytes),
    };
  } finally {
    await run(client.close());
    await run(server.close());
    await network.close();
  }
}

/** Writes `bytes` on a new stream and waits for the server's answer (the byte count it read, as text). */
async function send(conn: QuicConnection, bytes: number): Promise<number> {
  const stream = await conn.openBidirectionalStream();
  const chunk = new Uint8Array(64 * 1024);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    await stream.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
  }
  await stream.end();
  let answer = '';
  for await (const part of stream) answer += new TextDecoder().decode(part);
  return Number(answer);
}

/** The server: reads the first stream of the first connection to its end and answers with the byte count. */
async function serve(server: QuicEndpoint): Promise<number> {
  const conn = await server.accept();
  if (conn === undefined) return 0;
  const stream = await conn.acceptStream();
  if (stream === undefined) return 0;
  let n = 0;
  for await (const part of stream) n += part.length;
  await stream.end(new TextEncoder().encode(String(n)));
  return n;
}

/** Advances virtual time (letting promise continuations run between timers) until `promise` settles. */
async function settle<T>(clock: VirtualClock, promise: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  if (!(await clock.runUntil(() => done, maxMs))) throw new Error(`not done after ${maxMs} ms of virtual time`);
  return tracked;
}
