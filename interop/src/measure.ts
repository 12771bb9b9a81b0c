import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateFiles } from './certs.js';
import { type Docroot, verifyDownload } from './content.js';
import { makeTempDir } from './lifecycle.js';

/** What every benchmark server and client is given: the served files and the certificate. */
export interface BenchContext {
  docroot: Docroot;
  cert: CertificateFiles;
}

/** A started server under measurement. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  url(path: string): string;
  /** Cumulative CPU time (user + system) of the server so far, in ms; `undefined` if unknown. */
  cpuMs(): number | undefined;
  stop(): Promise<unknown>;
}

/** A server implementation to measure (gtlsserver, Caddy, later ours). */
export interface BenchServer {
  readonly name: string;
  start(ctx: BenchContext): Promise<RunningServer>;
}

/** One download by a benchmark client. */
export interface FetchOutcome {
  /** Wall time of the whole fetch (for a process client: spawn to exit, so it includes the new connection). */
  wallMs: number;
  /** CPU time of the client for this fetch, in ms; `undefined` if unknown. */
  cpuMs: number | undefined;
  /** Where the body was saved (checked against the served file's SHA-256). */
  savedPath: string;
  /** False when the client reported failure (the run then fails the measurement). */
  ok: boolean;
  /** Client output tail for a failure message. */
  detail?: string;
}

/** A client implementation to measure (gtlsclient, later ours). */
export interface BenchClient {
  readonly name: string;
  /** Downloads `urlPath` from `server` into `downloadDir` with a new connection. */
  fetch(server: RunningServer, urlPath: string, downloadDir: string): Promise<FetchOutcome>;
}

/** One row of the table: a client fetching one docroot file from a server. */
export interface Scenario {
  /** Row label, e.g. `100 MiB gtlsclient ← gtlsserver`. */
  name: string;
  client: BenchClient;
  server: BenchServer;
  /** Name of the docroot file to fetch. */
  file: string;
}

/** One measured run. */
export interface RunSample {
  wallMs: number;
  clientCpuMs: number | undefined;
  serverCpuMs: number | undefined;
  /** client + server, when both are known. */
  cpuMs: number | undefined;
}

/** The medians of one scenario. */
export interface ScenarioResult {
  scenario: string;
  bytes: number;
  runs: RunSample[];
  medianWallMs: number;
  medianCpuMs: number | undefined;
  /** bytes / median wall time, in MiB/s. */
  goodputMiBps: number;
}

/** The median (for an even count, the mean of the two middle values); NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Options of {@link runScenarios}. */
export interface RunScenariosOptions {
  /** Measured runs per scenario (default 3). */
  runs?: number;
  /** Unmeasured 1-request warm-up per server before its first scenario (a docroot file name; default none). */
  warmupFile?: string;
  /** Called after each run (progress output). */
  onRun?: (scenario: Scenario, run: number, sample: RunSample) => void;
}

/**
 * Measures one scenario on an already started server: `runs` fetches, each verified by SHA-256 outside the
 * timed part; server CPU is the difference of `server.cpuMs()` around each fetch.
 */
export async function measureScenario(
  scenario: Scenario,
  ctx: BenchContext,
  server: RunningServer,
  options: RunScenariosOptions = {},
): Promise<ScenarioResult> {
  const file = ctx.docroot.file(scenario.file);
  const samples: RunSample[] = [];
  const runs = options.runs ?? 3;
  for (let i = 0; i < runs; i++) {
    const dir = makeTempDir('bench-dl');
    const before = server.cpuMs();
    const out = await scenario.client.fetch(server, file.urlPath, dir);
    const after = server.cpuMs();
    if (!out.ok) throw new Error(`${scenario.name}: run ${i + 1} failed\n${out.detail ?? ''}`);
    await verifyDownload(out.savedPath, file);
    rmSync(dir, { recursive: true, force: true });
    const serverCpuMs = before !== undefined && after !== undefined ? after - before : undefined;
    const sample: RunSample = {
      wallMs: out.wallMs,
      clientCpuMs: out.cpuMs,
      serverCpuMs,
      cpuMs: out.cpuMs !== undefined && serverCpuMs !== undefined ? out.cpuMs + serverCpuMs : undefined,
    };
    samples.push(sample);
    options.onRun?.(scenario, i + 1, sample);
  }
  const wall = median(samples.map((s) => s.wallMs));
  const cpus = samples.map((s) => s.cpuMs).filter((c): c is number => c !== undefined);
  return {
    scenario: scenario.name,
    bytes: file.size,
    runs: samples,
    medianWallMs: wall,
    medianCpuMs: cpus.length === samples.length ? median(cpus) : undefined,
    goodputMiBps: file.size / 1048576 / (wall / 1000),
  };
}

/**
 * Runs scenarios in order, starting each distinct server once (first use) and stopping all at the end.
 * Scenarios that share a `BenchServer` object share the running server.
 */
export async function runScenarios(
  scenarios: readonly Scenario[],
  ctx: BenchContext,
  options: RunScenariosOptions = {},
): Promise<ScenarioResult[]> {
  const started = new Map<BenchServer, RunningServer>();
  const results: ScenarioResult[] = [];
  try {
    for (const s of scenarios) {
      let server = started.get(s.server);
      if (!server) {
        server = await s.server.start(ctx);
        started.set(s.server, server);
        if (options.warmupFile) {
          const dir = makeTempDir('bench-warmup');
          await s.client.fetch(server, ctx.docroot.file(options.warmupFile).urlPath, dir);
        }
      }
      results.push(await measureScenario(s, ctx, server, options));
    }
  } finally {
    await Promise.allSettled([...started.values()].map((s) => s.stop()));
  }
  return results;
}

function fmt(n: number | undefined, digits: number): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

function sizeLabel(bytes: number): string {
  if (bytes >= 1048576) return `${fmt(bytes / 1048576, bytes % 1048576 === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${fmt(bytes / 1024, bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} B`;
}

/** A markdown table of results: medians, goodput for transfers of 1 MiB or more, and every run's wall time. */
export function formatMarkdownTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | size | wall ms (median) | goodput MiB/s | CPU ms client+server (median) | runs: wall ms |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const goodput = r.bytes >= 1048576 ? fmt(r.goodputMiBps, 1) : '';
    const runs = r.runs.map((s) => fmt(s.wallMs, 1)).join(', ');
    lines.push(
      `| ${r.scenario} | ${sizeLabel(r.bytes)} | ${fmt(r.medianWallMs, 1)} | ${goodput} | ${fmt(r.medianCpuMs, 0)} | ${runs} |`,
    );
  }
  return lines.join('\n');
}

/** Joins a download dir and the file name a client saves `urlPath` under (its last path component). */
export function savedPathFor(downloadDir: string, urlPath: string): string {
  return join(downloadDir, urlPath.slice(urlPath.lastIndexOf('/') + 1) || 'index.html');
}
