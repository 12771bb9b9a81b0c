// Certificate verification, pinning and connection failures, each as a typed error with a stable code and reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientErrorCode,
  ConnectionRefusedError,
  createClient,
  DnsError,
  spkiSha256,
  TlsVerificationError,
} from '../src/index.js';
import { loopbackLookup } from './support/helpers.js';
import { createPki, type TestPki } from './support/pki.js';
import { startServer, type TestServer } from './support/servers.js';

let pki: TestPki;
let good: TestServer;
let wrongHost: TestServer;
let untrusted: TestServer;
let expired: TestServer;
let h1Untrusted: TestServer;

beforeAll(async () => {
  pki = await createPki();
  [good, wrongHost, untrusted, expired, h1Untrusted] = await Promise.all([
    startServer('h2', pki.leaf),
    startServer('h2', pki.otherHost),
    startServer('h2', pki.untrusted),
    startServer('h2', pki.expired),
    startServer('https', pki.untrusted),
  ]);
});

afterAll(async () => {
  await Promise.all([good, wrongHost, untrusted, expired, h1Untrusted].map((s) => s.close()));
});

async function failure(url: string, options: Parameters<typeof createClient>[0] = {}, protocol?: 'http/1.1') {
  const c = createClient({ lookup: loopbackLookup, ...options });
  try {
    return await c.fetch(url, { protocol }).then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    await c.close();
  }
}

describe('certificate verification', () => {
  it('accepts the server with the test CA, by IP and by name', async () => {
    const c = createClient({ ca: pki.ca.certPem, lookup: loopbackLookup });
    expect((await c.fetch(`${good.origin}/echo`)).status).toBe(200);
    expect((await c.fetch(`${good.namedOrigin}/echo`)).status).toBe(200);
    await c.close();
  });

  it('accepts the CA given as DER bytes', async () => {
    const der = new Uint8Array(pki.ca.cert.rawData);
    const c = createClient({ ca: [der], lookup: loopbackLookup });
    expect((await c.fetch(`${good.origin}/echo`)).status).toBe(200);
    await c.close();
  });

  it('unknown CA (default roots)', async () => {
    const error = await failure(`${good.origin}/echo`);
    expect(error).toBeInstanceOf(TlsVerificationError);
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'unknown-ca' });
    expect((error as Error).message).toContain('unknown-ca');
  });

  it('leaf from a CA that is not trusted', async () => {
    const error = await failure(`${untrusted.origin}/echo`, { ca: pki.ca.certPem });
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'unknown-ca' });
  });

  it('host name mismatch', async () => {
    const error = await failure(`${wrongHost.namedOrigin}/echo`, { ca: pki.ca.certPem });
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'hostname-mismatch' });
  });

  it('expired certificate', async () => {
    const error = await failure(`${expired.origin}/echo`, { ca: pki.ca.certPem });
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'expired' });
  });

  it('the HTTP/1.1 agent path reports the same typed error', async () => {
    const error = await failure(`${h1Untrusted.origin}/echo`, { ca: pki.ca.certPem }, 'http/1.1');
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'unknown-ca' });
  });

  it('rejectUnauthorized: false accepts an untrusted certificate', async () => {
    const c = createClient({ rejectUnauthorized: false, lookup: loopbackLookup });
    expect((await c.fetch(`${untrusted.origin}/echo`)).status).toBe(200);
    expect((await c.fetch(`${h1Untrusted.origin}/echo`)).status).toBe(200);
    await c.close();
  });
});

describe('SPKI pinning', () => {
  it('a matching pin passes, on top of normal verification', async () => {
    const c = createClient({ ca: pki.ca.certPem, pins: [spkiSha256(pki.leaf.der)], lookup: loopbackLookup });
    expect((await c.fetch(`${good.origin}/echo`)).status).toBe(200);
    await c.close();
  });

  it('a pin mismatch fails even when the chain is valid', async () => {
    const error = await failure(`${good.origin}/echo`, { ca: pki.ca.certPem, pins: [spkiSha256(pki.untrusted.der)] });
    expect(error).toMatchObject({ code: ClientErrorCode.TLS_VERIFICATION_FAILED, reason: 'pin-mismatch' });
  });

  it('pins still hold with rejectUnauthorized: false (and on the HTTP/1.1 path)', async () => {
    const pinned = { rejectUnauthorized: false, pins: [spkiSha256(pki.untrusted.der)] };
    const c = createClient({ ...pinned, lookup: loopbackLookup });
    expect((await c.fetch(`${untrusted.origin}/echo`)).status).toBe(200);
    await c.close();
    const wrong = { rejectUnauthorized: false, pins: [spkiSha256(pki.leaf.der)] };
    expect(await failure(`${untrusted.origin}/echo`, wrong)).toMatchObject({ reason: 'pin-mismatch' });
    expect(await failure(`${h1Untrusted.origin}/echo`, wrong, 'http/1.1')).toMatchObject({ reason: 'pin-mismatch' });
  });

  it('spkiSha256 accepts PEM and DER and yields a 32-byte base64 digest', () => {
    expect(spkiSha256(pki.leaf.certPem)).toBe(spkiSha256(pki.leaf.der));
    expect(Buffer.from(spkiSha256(pki.leaf.der), 'base64')).toHaveLength(32);
    expect(spkiSha256(pki.leaf.der)).not.toBe(spkiSha256(pki.untrusted.der));
  });
});

describe('connection failures', () => {
  it('DNS failure', async () => {
    const error = await failure('https://no-such-host.invalid/');
    expect(error).toBeInstanceOf(DnsError);
    expect(error).toMatchObject({ code: ClientErrorCode.DNS_FAILURE, hostname: 'no-such-host.invalid' });
  });

  it('connection refused (TLS and cleartext)', async () => {
    const closed = await startServer('http');
    const port = closed.port;
    await closed.close();
    for (const url of [`https://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/`]) {
      const error = await failure(url);
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error).toMatchObject({ code: ClientErrorCode.CONNECTION_REFUSED });
    }
  });
});
