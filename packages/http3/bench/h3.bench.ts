// HTTP/3 request throughput through the in-memory transport pair (no QUIC, no crypto): what the H3 layer itself
// costs per request. Baseline: the same exchange with QPACK limited to the static table (both peers advertise
// QPACK_MAX_TABLE_CAPACITY 0). Run: npx vitest bench --run --project http3
// Compare ratios within one run; the machine is shared and absolute figures drift.

import { bench, describe } from 'vitest';
import { H3Connection, type H3ConnectionOptions } from '../src/index.js';
import { FakePair } from '../test/support/fake-transport.js';

const REQUESTS = 100;
const BODY = new Uint8Array(1024).fill(0x61);
const BIG_CHUNK = new Uint8Array(16 * 1024).fill(0x62);

function requestHeaders(i: number): [string, string][] {
  return [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':authority', 'bench.example'],
    [':path', `/assets/file-${i}.js`],
    ['user-agent', 'fos-bench/1.0 (a long user agent string that repeats on every request)'],
    ['accept', '*/*'],
    ['accept-encoding', 'gzip, deflate, br'],
    ['cookie', 'session=4f1c2a9b7d3e5f60718293a4b5c6d7e8; theme=dark'],
  ];
}

/** More samples than the default: the machine is shared and a single run is noisy. */
const OPTIONS = { time: 3000, warmupTime: 500, warmupIterations: 20 };

type Options = Partial<Omit<H3ConnectionOptions, 'transport'>>;

/** Runs `REQUESTS` GETs with 1 KiB responses over a fresh connection pair; returns the bytes received. */
function exchange(options: Options, bodyChunks = 1, chunk = BODY): number {
  const pair = new FakePair({ shuffle: false, highWaterMarkBytes: 1 << 30 });
  const client = new H3Connection({ grease: false, ...options, transport: pair.client });
  const server = new H3Connection({ grease: false, ...options, transport: pair.server });
  pair.attach(client, server);
  client.start();
  server.start();
  pair.run();
  const requests = bodyChunks === 1 ? REQUESTS : 1;
  for (let i = 0; i < requests; i++) client.request(requestHeaders(i), { endStream: true });
  let received = 0;
  let ended = 0;
  while (ended < requests) {
    pair.run();
    for (let e = server.pollEvent(); e !== undefined; e = server.pollEvent()) {
      if (e.type !== 'request') continue;
      server.respond(e.streamId, [
        [':status', '200'],
        ['content-type', 'application/javascript'],
        ['cache-control', 'public, max-age=31536000, immutable'],
        ['server', 'fos-bench'],
      ]);
      for (let k = 0; k < bodyChunks; k++) server.writeBody(e.streamId, chunk, k === bodyChunks - 1);
    }
    for (let e = client.pollEvent(); e !== undefined; e = client.pollEvent()) {
      if (e.type === 'data') received += e.data.length;
      else if (e.type === 'end') ended++;
    }
  }
  return received;
}

describe(`${REQUESTS} GET requests, 1 KiB responses, one connection`, () => {
  bench(
    'QPACK static table only (baseline)',
    () => {
      exchange({ qpackMaxTableCapacity: 0, qpackBlockedStreams: 0 });
    },
    OPTIONS,
  );
  bench(
    'QPACK dynamic table (4096 bytes, 16 blocked streams)',
    () => {
      exchange({});
    },
    OPTIONS,
  );
});

describe('one 4 MiB response in 16 KiB DATA frames', () => {
  bench(
    'body throughput',
    () => {
      exchange({}, 256, BIG_CHUNK);
    },
    OPTIONS,
  );
});
