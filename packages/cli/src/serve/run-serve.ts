import { mkdirSync } from 'node:fs';
import { createHttp3Server, formatAccessLogLine, type Http3Server, ServerError, serveStatic } from '@fos/server';
import type { ServeCommand, ServeOutput } from './serve-options.js';
import { readTicketKeyFile } from './ticket-key-file.js';

/** Where `fos-h3 serve` writes and what stops it. */
export interface ServeIo {
  /** The access log, one line per request. */
  readonly stdout: ServeOutput;
  /** Start-up information, errors. */
  readonly stderr: ServeOutput;
  /**
   * Aborting it shuts the server down gracefully (GOAWAY, drain, close). Without one, SIGINT / SIGTERM do
   * (a second Ctrl-C closes at once).
   */
  readonly signal?: AbortSignal;
  /** Called once the server listens (tests read the port here). */
  readonly onListening?: (server: Http3Server) => void;
}

/** Grace period of a Ctrl-C shutdown, ms. */
export const SHUTDOWN_GRACE_MS = 5000;

/** Runs the server until stopped; resolves with the exit code (0 after a graceful shutdown, 1 if it cannot start). */
export async function runServeCommand(cmd: ServeCommand, io: ServeIo): Promise<number> {
  if (cmd.qlogDir !== undefined) mkdirSync(cmd.qlogDir, { recursive: true });
  let server: Http3Server;
  try {
    const tickets = cmd.ticketKeyFile !== undefined ? { keys: [readTicketKeyFile(cmd.ticketKeyFile)] } : undefined;
    server = await createHttp3Server({
      host: cmd.host,
      port: cmd.port,
      certificate:
        cmd.certFile !== undefined && cmd.keyFile !== undefined
          ? { certFile: cmd.certFile, keyFile: cmd.keyFile }
          : undefined,
      handler: serveStatic(cmd.root, { listDirectories: cmd.listDirectories }),
      retry: cmd.retry,
      earlyData: cmd.earlyData,
      tickets,
      qlogDir: cmd.qlogDir,
      keyLogFile: cmd.keylog,
      serverHeader: 'fos-h3',
      limits: { maxConcurrentRequests: cmd.maxStreams },
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      accessLog: cmd.quiet ? undefined : (entry) => io.stdout.write(`${formatAccessLogLine(entry)}\n`),
      onError: (error, ctx) => {
        const where = ctx.path !== undefined ? ` (${ctx.method} ${ctx.path})` : '';
        io.stderr.write(`fos-h3 serve: ${ctx.phase} error${where}: ${describe(error)}\n`);
      },
    });
  } catch (e) {
    io.stderr.write(`fos-h3 serve: cannot start: ${describe(e)}\n`);
    return 1;
  }
  const host = server.address.family === 'IPv6' ? `[${server.address.address}]` : server.address.address;
  io.stderr.write(`fos-h3 serve: serving ${cmd.root} on https://${host}:${server.address.port}/ (HTTP/3 over UDP)\n`);
  const cert = server.certificate;
  if (cert?.generated) {
    io.stderr.write(`fos-h3 serve: self-signed certificate for localhost; SPKI pin sha256//${cert.spkiSha256}\n`);
  }
  if (cmd.keylog !== undefined) io.stderr.write(`fos-h3 serve: writing TLS secrets to ${cmd.keylog}\n`);
  io.onListening?.(server);

  await waitForStop(io.signal, () => {
    io.stderr.write('fos-h3 serve: closing now\n');
    void server.close({ graceMs: 0 });
  });
  io.stderr.write('fos-h3 serve: shutting down (GOAWAY, finishing requests)\n');
  await server.close({ graceMs: SHUTDOWN_GRACE_MS });
  io.stderr.write('fos-h3 serve: stopped\n');
  return 0;
}

/** Resolves on the signal's abort, or on SIGINT / SIGTERM; a second process signal calls `force`. */
function waitForStop(signal: AbortSignal | undefined, force: () => void): Promise<void> {
  if (signal !== undefined) {
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        force();
        return;
      }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function describe(e: unknown): string {
  if (e instanceof ServerError || e instanceof Error) return e.message;
  return String(e);
}
