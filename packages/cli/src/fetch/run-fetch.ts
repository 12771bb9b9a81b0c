import { createWriteStream, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type ClientOptions, type ClientResponse, createClient, type HttpClient } from '@fos/client';
import { type CliIo, write } from '../io.js';
import { ExitCode } from './exit-codes.js';
import { describeFailure } from './failure.js';
import type { FetchCommand } from './fetch-options.js';
import { DownloadProgress } from './progress.js';

/** Extra client options (tests inject a lookup, a session cache, …). */
export type FetchClientOverrides = Omit<ClientOptions, 'protocol' | 'ca' | 'rejectUnauthorized'>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function protocolLabel(p: string): string {
  return p === 'h3' ? 'HTTP/3' : p === 'h2' ? 'HTTP/2' : 'HTTP/1.1';
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(1)} ms`;
}

async function readAll(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** The request body of `-d`: text, `@file`, or `@-` (stdin). */
async function requestBody(data: string | undefined, io: CliIo): Promise<Uint8Array | string | undefined> {
  if (data === undefined) return undefined;
  if (data === '@-') return readAll(io.stdin);
  if (data.startsWith('@')) return readFileSync(data.slice(1));
  return data;
}

/**
 * Runs `fos-h3 URL`: one fetch with the client, the body to stdout or `-o FILE` (with backpressure), `-v` details
 * on stderr, a progress bar on a terminal for large downloads. Returns the exit code; failures print one line.
 */
export async function runFetch(cmd: FetchCommand, io: CliIo, overrides: FetchClientOverrides = {}): Promise<number> {
  const fail = (exitCode: number, reason: string): number => {
    io.stderr.write(`fos-h3: ${reason}\n`);
    return exitCode;
  };
  let ca: string | undefined;
  let body: Uint8Array | string | undefined;
  try {
    if (cmd.cacert !== undefined) ca = readFileSync(cmd.cacert, 'utf8');
    body = await requestBody(cmd.data, io);
  } catch (e) {
    return fail(ExitCode.USAGE, `cannot read ${(e as { path?: string }).path ?? 'input'}: ${(e as Error).message}`);
  }
  let client: HttpClient;
  try {
    client = createClient({
      protocol: cmd.protocol,
      ca,
      rejectUnauthorized: !cmd.insecure,
      qlogDir: cmd.qlogDir,
      keylogPath: cmd.keylog,
      timeouts: { connectMs: cmd.connectTimeoutMs, totalMs: cmd.maxTimeMs },
      userAgent: 'fos-h3',
      ...overrides,
    });
  } catch (e) {
    return fail(ExitCode.USAGE, (e as Error).message);
  }
  const started = performance.now();
  let out: Writable | undefined;
  let progress: DownloadProgress | undefined;
  try {
    const method = cmd.method ?? (body !== undefined ? 'POST' : 'GET');
    if (cmd.verbose) {
      io.stderr.write(`> ${method} ${cmd.url}\n`);
      for (const [k, v] of cmd.headers) io.stderr.write(`> ${k}: ${v}\n`);
    }
    const res = await client.fetch(cmd.url, {
      method,
      headers: cmd.headers.map(([k, v]) => [k, v] as [string, string]),
      body,
      signal: io.signal,
    });
    if (cmd.verbose) printResponseHead(io, res);
    out = cmd.output !== undefined ? createWriteStream(cmd.output) : io.stdout;
    const length = Number(res.headers.get('content-length') ?? Number.NaN);
    const terminalOutput = cmd.output === undefined && io.stdout.isTTY === true;
    if (cmd.progress && io.stderr.isTTY === true && !terminalOutput) {
      progress = new DownloadProgress(io.stderr, Number.isFinite(length) ? length : undefined);
    }
    let bytes = 0;
    if (res.body !== null) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        progress?.add(chunk.byteLength);
        await write(out, chunk);
      }
    }
    progress?.stop();
    if (out !== io.stdout)
      await new Promise<void>((resolve, reject) => out!.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (cmd.verbose) {
      const trailers = [...(await res.trailers)];
      for (const [k, v] of trailers) io.stderr.write(`< [trailer] ${k}: ${v}\n`);
      const i = res.info;
      io.stderr.write(
        `* ${protocolLabel(res.protocol)}${i.alternative ? ` via ${i.alternative}` : ''}: ${bytes} bytes, ` +
          `${i.reusedConnection ? 'reused connection' : 'new connection'}` +
          `${i.resumed ? ', TLS resumed' : ''}${i.earlyData ? ', 0-RTT' : ''}` +
          `${i.fallback ? `, fallback: ${i.fallback}` : ''}\n`,
      );
      io.stderr.write(
        `* timings: handshake ${ms(i.handshakeMs)}, ttfb ${ms(i.ttfbMs)}, total ${ms(performance.now() - started)}\n`,
      );
    }
    if (res.status < 200 || res.status > 299) {
      return fail(
        ExitCode.HTTP_STATUS,
        `HTTP status ${res.status}${STATUS_TEXT[res.status] ? ` ${STATUS_TEXT[res.status]}` : ''}`,
      );
    }
    return ExitCode.OK;
  } catch (e) {
    progress?.stop();
    if (out !== undefined && out !== io.stdout) out.destroy();
    const f = describeFailure(e);
    return fail(f.exitCode, f.reason);
  } finally {
    await client.close();
  }
}

function printResponseHead(io: CliIo, res: ClientResponse): void {
  io.stderr.write(`< ${protocolLabel(res.protocol)} ${res.status}${res.statusText ? ` ${res.statusText}` : ''}\n`);
  for (const [k, v] of res.headers) io.stderr.write(`< ${k}: ${v}\n`);
}
