import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEchoClient } from './client.js';
import { startEchoServer } from './server.js';

describe('raw-QUIC echo example (real UDP on loopback)', () => {
  it('echoes every message on its own stream', async () => {
    const certPath = join(tmpdir(), `fos-echo-test-${process.pid}.pem`);
    const server = await startEchoServer({ port: 0, certPath });
    try {
      const messages = ['hello', 'QUIC', 'x'.repeat(100_000)];
      const replies = await runEchoClient({
        port: server.address.port,
        caPem: readFileSync(certPath, 'utf8'),
        messages,
      });
      expect(replies).toEqual(messages);
    } finally {
      await server.close();
    }
  });
});
