// The echo client: sends each message on its own bidirectional stream and prints what comes back.
//   node examples/dist/echo/client.js [--port 4433] message…
import { readFileSync } from 'node:fs';
import { createQuicEndpoint } from '@fos/quic';
import { DEFAULT_CERT_PATH, DEFAULT_PORT, ECHO_ALPN, echoContainer, isMain } from './common.js';

export interface EchoClientOptions {
  readonly host?: string;
  readonly port?: number;
  /** The server's certificate (PEM) to trust; default: the file the server wrote. */
  readonly caPem?: string;
  readonly messages: readonly string[];
}

/** Connects, echoes every message (concurrently, one stream each), closes; returns the replies in order. */
export async function runEchoClient(options: EchoClientOptions): Promise<string[]> {
  const ca = options.caPem ?? readFileSync(DEFAULT_CERT_PATH, 'utf8');
  const client = await createQuicEndpoint(echoContainer({ verify: { ca } }), { bind: { address: '127.0.0.1' } });
  try {
    const conn = await client.connect({
      address: options.host ?? '127.0.0.1',
      port: options.port ?? DEFAULT_PORT,
      alpn: ECHO_ALPN,
      serverName: 'localhost',
    });
    const replies = await Promise.all(
      options.messages.map(async (message) => {
        const stream = await conn.openBidirectionalStream();
        await stream.end(new TextEncoder().encode(message));
        let reply = '';
        const decoder = new TextDecoder();
        for await (const chunk of stream) reply += decoder.decode(chunk, { stream: true });
        return reply + decoder.decode();
      }),
    );
    await conn.close(0, 'done');
    return replies;
  } finally {
    await client.close();
  }
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  let port = DEFAULT_PORT;
  if (args[0] === '--port') {
    port = Number(args[1]);
    args.splice(0, 2);
  }
  const messages = args.length > 0 ? args : ['hello', 'QUIC', 'echo'];
  const replies = await runEchoClient({ port, messages });
  for (const [i, r] of replies.entries()) console.log(`${messages[i]} -> ${r}`);
}
