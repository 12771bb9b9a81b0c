// Local test servers on loopback: node:http2 secure (h2, optionally + HTTP/1.1 via allowHTTP1), node:https
// (HTTP/1.1 only) and node:http, all running the same small app.
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestLeaf } from './pki.js';

export type ServerKind = 'h2' | 'h2-only' | 'https' | 'http';

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface TestServer {
  port: number;
  /** `https://127.0.0.1:port` (or http://). */
  readonly origin: string;
  /** Same server by name: `https://localhost:port`. */
  readonly namedOrigin: string;
  readonly requests: LoggedRequest[];
  /** TCP connections accepted (TLS handshakes for the secure kinds). */
  connections: number;
  /** Requests that were aborted by the client before the response ended. */
  aborted: number;
  /** Extra Alt-Svc value to add to every response. */
  altSvc: string | undefined;
  close(): Promise<void>;
}

/** Deterministic pseudo-random bytes (xorshift32), so a body's SHA-256 is known without storing it. */
export function patternBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const patterns = new Map<string, { data: Uint8Array; digest: string }>();

/** Pattern bodies are made once per size and seed, so the server's cost stays out of the measurements. */
function cachedPattern(n: number, seed: number): { data: Uint8Array; digest: string } {
  const key = `${n}/${seed}`;
  let entry = patterns.get(key);
  if (entry === undefined) {
    const data = patternBytes(n, seed);
    entry = { data, digest: sha256(data) };
    if (patterns.size > 16) patterns.clear();
    patterns.set(key, entry);
  }
  return entry;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function writeAll(res: Res, data: Uint8Array, chunkSize: number, done: () => void): void {
  let offset = 0;
  const pump = (): void => {
    while (offset < data.byteLength) {
      const end = Math.min(offset + chunkSize, data.byteLength);
      const ok = (res as ServerResponse).write(data.subarray(offset, end));
      offset = end;
      if (!ok) {
        (res as ServerResponse).once('drain', pump);
        return;
      }
    }
    done();
  };
  pump();
}

function app(server: TestServer, req: Req, res: Res): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams;
  server.requests.push({
    method: req.method ?? '',
    path: url.pathname + url.search,
    httpVersion: req.httpVersion,
    headers: { ...req.headers },
  });
  if (server.altSvc !== undefined) res.setHeader('alt-svc', server.altSvc);
  res.on('close', () => {
    if (!res.writableEnded) server.aborted++;
  });
  const send = (status: number, body: string | Uint8Array, headers: Record<string, string> = {}): void => {
    res.writeHead(status, headers);
    res.end(body);
  };
  switch (url.pathname) {
    case '/echo': {
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        length += c.byteLength;
      });
      req.on('end', () => {
        send(
          200,
          JSON.stringify({
            method: req.method,
            path: url.pathname + url.search,
            httpVersion: req.httpVersion,
            headers: req.headers,
            bodyLength: length,
            bodySha256: hash.digest('hex'),
          }),
          { 'content-type': 'application/json', 'x-echo': 'yes' },
        );
      });
      return;
    }
    case '/bytes': {
      const n = Number(q.get('n') ?? '1024');
      const { data, digest } = cachedPattern(n, Number(q.get('seed') ?? '7'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-sha256': digest });
      writeAll(res, data, Number(q.get('chunk') ?? '16384'), () => res.end());
      return;
    }
    case '/status': {
      const status = Number(q.get('code') ?? '200');
      res.writeHead(status, { 'x-status': String(status) });
      res.end();
      return;
    }
    case '/redirect': {
      const status = Number(q.get('status') ?? '302');
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { location: q.get('to') ?? '/echo' });
        res.end('redirecting');
      });
      return;
    }
    case '/loop':
      req.resume();
      res.writeHead(302, { location: `/loop?n=${Number(q.get('n') ?? '0') + 1}` });
      res.end();
      return;
    case '/slow-headers': {
      const timer = setTimeout(() => send(200, 'late'), Number(q.get('ms') ?? '1000'));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case '/stall-body': {
      // Headers and a first chunk, then nothing.
      res.writeHead(200, { 'content-type': 'text/plain' });
      (res as ServerResponse).write('first chunk');
      return;
    }
    case '/hang':
      req.resume();
      return;
    case '/cookies':
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      send(200, 'cookies');
      return;
    case '/altsvc-frame': {
      // RFC 7838 §4: an HTTP/2 ALTSVC frame on the request's stream.
      const stream = (req as Http2ServerRequest).stream;
      const session = stream?.session as ServerHttp2Session | undefined;
      if (stream?.id !== undefined) session?.altsvc(q.get('v') ?? 'h3=":443"', stream.id);
      send(200, 'sent an ALTSVC frame');
      return;
    }
    case '/head':
      send(200, 'a body HEAD must not deliver', { 'x-head': 'yes' });
      return;
    default:
      send(404, 'not found');
  }
}

/** Starts a server of `kind` on 127.0.0.1 with an ephemeral port. */
export async function startServer(kind: ServerKind, leaf?: TestLeaf): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();
  const state: TestServer = {
    port: 0,
    origin: '',
    namedOrigin: '',
    requests: [],
    connections: 0,
    aborted: 0,
    altSvc: undefined,
    close: async () => {},
  };
  const handler = (req: Req, res: Res): void => app(state, req, res);
  const secure = kind !== 'http';
  if (secure && leaf === undefined) throw new Error('a secure server needs a certificate');
  const tlsOptions = { cert: leaf?.certPem, key: leaf?.keyPem };
  const server =
    kind === 'h2' || kind === 'h2-only'
      ? createSecureServer({ ...tlsOptions, allowHTTP1: kind === 'h2' }, handler)
      : kind === 'https'
        ? createHttpsServer(tlsOptions, handler)
        : createHttpServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    if (!secure) state.connections++;
  });
  server.on('secureConnection', () => {
    state.connections++;
  });
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const scheme = secure ? 'https' : 'http';
  state.port = port;
  (state as { origin: string }).origin = `${scheme}://127.0.0.1:${port}`;
  (state as { namedOrigin: string }).namedOrigin = `${scheme}://localhost:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
