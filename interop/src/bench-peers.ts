import { type CaddyOptions, startCaddy } from './caddy.js';
import type { ServerEndpoint } from './endpoint.js';
import { type GtlsClientOptions, runGtlsClient } from './gtls-client.js';
import { type GtlsServerOptions, startGtlsServer } from './gtls-server.js';
import type { BenchClient, BenchServer, RunningServer } from './measure.js';
import { processCpuMs } from './proc-net.js';

function running(s: ServerEndpoint): RunningServer {
  return {
    host: s.host,
    port: s.port,
    url: (path) => s.url(path),
    cpuMs: () => processCpuMs(s.process.pid),
    stop: () => s.stop(),
  };
}

/** gtlsserver as a benchmark server (`-q`, the context's docroot and certificate). */
export function gtlsServerBench(
  options: Omit<GtlsServerOptions, 'docroot' | 'cert'> = {},
  name = 'gtlsserver',
): BenchServer {
  return {
    name,
    start: async (ctx) => running(await startGtlsServer({ ...options, docroot: ctx.docroot.dir, cert: ctx.cert })),
  };
}

/** Caddy as a benchmark server (the context's docroot and certificate). */
export function caddyBench(options: Omit<CaddyOptions, 'docroot' | 'cert'> = {}, name = 'caddy'): BenchServer {
  return {
    name,
    start: async (ctx) => running(await startCaddy({ ...options, docroot: ctx.docroot.dir, cert: ctx.cert })),
  };
}

/**
 * gtlsclient as a benchmark client: one process (so one new connection) per fetch, run under GNU time for its
 * CPU time; wall time is spawn to exit.
 */
export function gtlsClientBench(
  options: Omit<GtlsClientOptions, 'host' | 'port' | 'urls' | 'downloadDir' | 'measureCpu'> = {},
  name = 'gtlsclient',
): BenchClient {
  return {
    name,
    async fetch(server, urlPath, downloadDir) {
      const url = server.url(urlPath);
      const r = await runGtlsClient({
        timeoutMs: 120_000,
        ...options,
        host: server.host,
        port: server.port,
        urls: [url],
        downloadDir,
        measureCpu: true,
      });
      return {
        wallMs: r.wallMs,
        cpuMs: r.cpu?.totalMs,
        savedPath: r.downloadPath(url),
        ok: r.ok,
        detail: r.ok ? undefined : `exit ${JSON.stringify(r.exit)} timedOut=${r.timedOut}\n${r.stderr}`,
      };
    },
  };
}
