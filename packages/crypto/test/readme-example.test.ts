// The TLS example of the package README, run as written (with test certificates).
import type { CipherSuite, EncryptionLevel, KeyDirection } from '@fos/core';
import { beforeAll, expect, it } from 'vitest';
import { NodeCryptoProvider, TlsContext } from '../src/index.js';
import { createCa, createLeaf, keyPem } from './support/pki.js';

let certPem: string;
let keyPemText: string;
let caPem: string;
const serverTp = Uint8Array.of(1);
const clientTp = Uint8Array.of(2);

beforeAll(async () => {
  const ca = await createCa('README CA');
  const leaf = await createLeaf(ca, 'p256', { names: ['localhost'] });
  certPem = leaf.pem;
  keyPemText = keyPem(leaf.key);
  caPem = ca.pem;
});

it('the README example completes a handshake', () => {
  const installed: string[] = [];
  const installKeys = (level: EncryptionLevel, direction: KeyDirection, suite: CipherSuite, secret: Uint8Array) =>
    installed.push(`${level}/${direction}/${suite}/${secret.length}`);
  const certPemLocal = certPem;
  const keyPemLocal = keyPemText;

  const provider = new NodeCryptoProvider();
  const server = new TlsContext({ provider, certificates: [{ chain: certPemLocal, key: keyPemLocal }] }).createServer({
    alpnProtocols: ['h3'],
    transportParameters: serverTp,
    epochMs: Date.now(),
  });
  const client = new TlsContext({ provider, verify: { ca: caPem } }).createClient({
    alpnProtocols: ['h3'],
    serverName: 'localhost',
    transportParameters: clientTp,
    epochMs: Date.now(),
  });

  for (let moved = true; moved; ) {
    moved = false;
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      for (let e = from.pollEvent(); e; e = from.pollEvent(), moved = true) {
        if (e.type === 'handshake-data') to.handleCryptoData(e.level, e.data, Date.now());
        else if (e.type === 'secret') installKeys(e.level, e.direction, e.cipherSuite, e.secret);
      }
    }
  }
  expect([client.handshakeComplete, client.alpnProtocol, client.cipherSuite]).toEqual([true, 'h3', 4865]);
  expect(installed).toHaveLength(8);
});
