// Loopback baseline: goodput of 100 MiB HTTP/3 downloads and the time of a 1 KiB GET on a new connection, with
// gtlsclient against gtlsserver (ngtcp2) and Caddy (quic-go); medians of N runs, printed as a markdown table.
// Run: `npm run bench:interop -w @fos/interop` (env: INTEROP_BENCH_RUNS=3, INTEROP_BENCH_MIB=100,
// INTEROP_BENCH_OUT=table.md). Compare figures within one run only: the machine is shared and noisy.
//
// To add our stack later: a BenchServer / BenchClient for it and rows in `scenarios` — same measurement.
import { writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import {
  type BenchContext,
  caddyBench,
  cleanupAll,
  createDocroot,
  formatMarkdownTable,
  generateCertificate,
  gtlsClientBench,
  gtlsServerBench,
  requirePeers,
  runScenarios,
  type Scenario,
} from '../src/index.js';

const RUNS = Number(process.env.INTEROP_BENCH_RUNS ?? 3);
const MIB = Number(process.env.INTEROP_BENCH_MIB ?? 100);
const BIG = `${MIB}m.bin`;

afterAll(() => cleanupAll());

const peers = requirePeers(['gtlsserver', 'gtlsclient', 'caddy', 'time']);

it.skipIf(peers.skip)(peers.title(`baseline: ${MIB} MiB and 1 KiB over HTTP/3, median of ${RUNS}`), async () => {
  peers.check();
  const ctx: BenchContext = {
    cert: await generateCertificate({ kind: 'ec' }),
    docroot: await createDocroot({ '1k.bin': 1024, [BIG]: MIB * 1048576 }),
  };
  const gtlsclient = gtlsClientBench();
  const gtlsserver = gtlsServerBench();
  const caddy = caddyBench({ hosts: ['127.0.0.1'] });
  const scenarios: Scenario[] = [
    { name: `${MIB} MiB gtlsclient ← gtlsserver`, client: gtlsclient, server: gtlsserver, file: BIG },
    { name: '1 KiB (new connection) gtlsclient ← gtlsserver', client: gtlsclient, server: gtlsserver, file: '1k.bin' },
    { name: `${MIB} MiB gtlsclient ← caddy`, client: gtlsclient, server: caddy, file: BIG },
    { name: '1 KiB (new connection) gtlsclient ← caddy', client: gtlsclient, server: caddy, file: '1k.bin' },
  ];
  const results = await runScenarios(scenarios, ctx, {
    runs: RUNS,
    warmupFile: '1k.bin',
    onRun: (s, run, sample) =>
      console.info(`  ${s.name} run ${run}: ${sample.wallMs.toFixed(1)} ms, cpu ${sample.cpuMs ?? '?'} ms`),
  });
  const table = formatMarkdownTable(results);
  const note =
    '\nwall = client process start to exit (includes the new connection); CPU = client (GNU time) + server ' +
    '(/proc/<pid>/stat delta), 10 ms resolution; goodput = size / median wall.';
  console.info(`\n${table}\n${note}\n`);
  if (process.env.INTEROP_BENCH_OUT) writeFileSync(process.env.INTEROP_BENCH_OUT, `${table}\n${note}\n`);
  expect(results).toHaveLength(scenarios.length);
});
