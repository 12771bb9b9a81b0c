// The echo server: every bidirectional stream a client opens is sent back to it, byte for byte.
//   node examples/dist/echo/server.js [port]
import { writeFileSync } from 'node:fs';
import { generateSelfSignedCertificate } from '@fos/crypto';
import { createQuicEndpoint, type QuicConnection, type QuicEndpoint, type QuicStream } from '@fos/quic';
import { DEFAULT_CERT_PATH, DEFAULT_PORT, ECHO_ALPN, echoContainer, isMain } from './common.js';

export interface EchoServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Where to write the self-signed certificate (PEM) the client must trust. */
  readonly certPath?: string;
  readonly log?: (line: string) => void;
}

/** Starts the server; resolves once it listens. Close it with `server.close()`. */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<QuicEndpoint> {
  const log = options.log ?? (() => {});
  const cert = await generateSelfSignedCertificate({ names: ['localhost'] });
  writeFileSync(options.certPath ?? DEFAULT_CERT_PATH, cert.certPem);
  const container = echoContainer({ certificates: [{ chain: cert.certPem, key: cert.keyPem }] });
  const server = await createQuicEndpoint(container, {
    bind: { address: options.host ?? '127.0.0.1', port: options.port ?? DEFAULT_PORT },
    server: { alpn: ECHO_ALPN },
  });
  server.connections$.subscribe((conn) => void serveConnection(conn, log));
  return server;
}

async function serveConnection(conn: QuicConnection, log: (line: string) => void): Promise<void> {
  const peer = `${conn.remoteAddress.address}:${conn.remoteAddress.port}`;
  log(`connection from ${peer} (ALPN ${conn.alpnProtocol})`);
  for await (const stream of conn) void echoStream(stream);
  const info = await conn.closed;
  log(`connection from ${peer} closed: ${info.initiator}, code ${info.errorCode} ${info.reason}`);
}

async function echoStream(stream: QuicStream): Promise<void> {
  if (!stream.bidirectional) return;
  try {
    // Pull-based both ways: the WHATWG pipe reads only as fast as the writes drain (flow control end to end).
    await stream.readable.pipeTo(stream.writable);
  } catch {
    // The client reset the stream or closed the connection: nothing left to echo.
  }
}

if (isMain(import.meta.url)) {
  const port = Number(process.argv[2] ?? DEFAULT_PORT);
  const server = await startEchoServer({ port, log: (l) => console.log(l) });
  console.log(
    `fos-echo server on ${server.address.address}:${server.address.port}; certificate in ${DEFAULT_CERT_PATH}`,
  );
  process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
}
