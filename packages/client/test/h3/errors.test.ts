// Failures of the real HTTP/3 path mapped to the client's typed errors: certificate verification with its reason
// (RFC 9001 §4.8 alerts carry no reason, the verifier's verdict does), pins (RFC 7838 §9.2), no UDP reply,
// Version Negotiation (RFC 9000 §6), ALPN (RFC 9001 §8.1), DNS — and discovery through Alt-Svc in `auto` mode.
import { QuicVersion } from '@fos/core';
import { generateSelfSignedCertificate } from '@fos/crypto';
import { describe, expect, it } from 'vitest';
import { DnsError, H3ConnectError, spkiSha256, TlsVerificationError } from '../../src/index.js';
import { FakeTcpTransport } from '../../src/testing/index.js';
import { H3World, readBody, testPki } from '../support/h3-world.js';

describe('HTTP/3 over QUIC: failures', () => {
  it.each([
    ['untrusted', 'unknown-ca'],
    ['otherHost', 'hostname-mismatch'],
    ['expired', 'expired'],
  ] as const)('a %s certificate fails with TlsVerificationError(%s)', async (which, reason) => {
    const pki = await testPki();
    const world = new H3World();
    const server = await world.server({ cert: pki[which] });
    const { client } = await world.client();
    const err = await world.driveError(client.fetch('https://localhost/'));
    expect(err).toBeInstanceOf(TlsVerificationError);
    expect(err).toMatchObject({ code: 'TLS_VERIFICATION_FAILED', reason, host: 'localhost' });
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('a self-signed certificate: refused (self-signed), accepted with rejectUnauthorized: false or pinned', async () => {
    const self = await generateSelfSignedCertificate();
    const world = new H3World();
    const server = await world.server({ cert: self });
    const strict = await world.client();
    expect(await world.driveError(strict.client.fetch('https://localhost/'))).toMatchObject({
      code: 'TLS_VERIFICATION_FAILED',
      reason: 'self-signed',
    });
    const lax = await world.client({ rejectUnauthorized: false });
    expect((await world.drive(lax.client.fetch('https://localhost/'))).status).toBe(200);
    const pinned = await world.client({ ca: self.certPem, pins: [spkiSha256(self.certPem)] });
    expect((await world.drive(pinned.client.fetch('https://localhost/'))).status).toBe(200);
    for (const c of [strict, lax, pinned]) await world.drive(c.client.close());
    await world.drive(server.close());
  });

  it('a pin mismatch fails even with rejectUnauthorized: false (RFC 7838 §9.2: pins apply to h3)', async () => {
    const pki = await testPki();
    const world = new H3World();
    const server = await world.server();
    const { client } = await world.client({ rejectUnauthorized: false, pins: [spkiSha256(pki.otherHost.certPem)] });
    const err = await world.driveError(client.fetch('https://localhost/'));
    expect(err).toMatchObject({ code: 'TLS_VERIFICATION_FAILED', reason: 'pin-mismatch' });
    const ok = await world.client({ pins: [spkiSha256(pki.leaf.certPem)] });
    expect((await world.drive(ok.client.fetch('https://localhost/'))).status).toBe(200);
    await world.drive(client.close());
    await world.drive(ok.client.close());
    await world.drive(server.close());
  });

  it('no UDP reply: H3ConnectError(no-response) after the handshake timeout', async () => {
    const world = new H3World();
    const { client } = await world.client({ timeouts: { connectMs: 30_000 } });
    const started = world.clock.now();
    const err = await world.driveError(client.fetch('https://localhost:4444/'));
    expect(err).toBeInstanceOf(H3ConnectError);
    expect(err).toMatchObject({ code: 'H3_CONNECT_FAILED', failure: 'no-response' });
    expect(world.clock.now() - started).toBeGreaterThanOrEqual(10_000); // QUIC's handshake timeout
    await world.drive(client.close());
  });

  it('the connect timeout wins when it is shorter (TimeoutError, phase connect)', async () => {
    const world = new H3World();
    const { client } = await world.client({ timeouts: { connectMs: 1_500 } });
    const err = await world.driveError(client.fetch('https://localhost:4444/'));
    expect(err).toMatchObject({ code: 'TIMEOUT', phase: 'connect', timeoutMs: 1_500 });
    await world.drive(client.close());
  });

  it('Version Negotiation: a v2-only server is reached with v2; a v1-only client fails with version-negotiation', async () => {
    const world = new H3World();
    const server = await world.server({ supportedVersions: [QuicVersion.V2] });
    const both = await world.client();
    const res = await world.drive(both.client.fetch('https://localhost/'));
    expect(res.status).toBe(200);
    expect(both.factory.sessions[0].quic.connection.version).toBe(QuicVersion.V2);
    const v1 = await world.client({}, { versions: [QuicVersion.V1] });
    const err = await world.driveError(v1.client.fetch('https://localhost/'));
    expect(err).toMatchObject({ code: 'H3_CONNECT_FAILED', failure: 'version-negotiation', transportCode: 0x11 });
    await world.drive(both.client.close());
    await world.drive(v1.client.close());
    await world.drive(server.close());
  });

  it('a server without h3 ALPN: H3ConnectError(alpn) with the no_application_protocol alert code', async () => {
    const world = new H3World();
    const server = await world.server({ alpn: 'h3-29' });
    const { client } = await world.client();
    const err = await world.driveError(client.fetch('https://localhost/'));
    expect(err).toMatchObject({ code: 'H3_CONNECT_FAILED', failure: 'alpn', transportCode: 0x100 + 120 });
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('several addresses: the next one is tried 250 ms after a silent one (RFC 8305 §5), the first to connect wins', async () => {
    const world = new H3World();
    const server = await world.server();
    const lookup = ((_host: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
      const addresses = [
        { address: '10.0.0.9', family: 4 }, // nobody there
        { address: '10.0.0.2', family: 4 },
      ];
      queueMicrotask(() => (options.all ? cb(null, addresses) : cb(null, addresses[0].address, 4)));
    }) as never;
    const { client, factory } = await world.client({ lookup });
    const t0 = world.clock.now();
    const res = await world.drive(client.fetch('https://localhost/'));
    expect(res.status).toBe(200);
    expect(factory.sessions[0].remoteAddress).toEqual({ host: '10.0.0.2', port: 443 });
    // 250 ms of head start for the first address, then one round trip handshake and the request (10 ms links).
    expect(world.clock.now() - t0).toBeGreaterThanOrEqual(250);
    expect(world.clock.now() - t0).toBeLessThan(400);
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('a resolver that never answers: the connect timeout still fires (TimeoutError, phase connect)', async () => {
    const world = new H3World();
    const never = (() => {}) as never;
    const { client } = await world.client({ lookup: never, timeouts: { connectMs: 1_000 } });
    const err = await world.driveError(client.fetch('https://localhost/'));
    expect(err).toMatchObject({ code: 'TIMEOUT', phase: 'connect', timeoutMs: 1_000 });
    await world.drive(client.close());
  });

  it('an unresolvable name: DnsError', async () => {
    const world = new H3World();
    const { client } = await world.client();
    const err = await world.driveError(client.fetch('https://nowhere.invalid/'));
    expect(err).toBeInstanceOf(DnsError);
    expect(err).toMatchObject({ code: 'DNS_FAILURE', hostname: 'nowhere.invalid' });
    await world.drive(client.close());
  });

  it('auto: the first request goes over TCP and learns Alt-Svc, the next goes over real QUIC', async () => {
    const world = new H3World();
    const server = await world.server();
    const tcp = new FakeTcpTransport({
      clock: world.clock,
      handler: () => ({ status: 200, headers: [['alt-svc', 'h3=":443"; ma=3600']], body: 'over tcp' }),
    });
    const { client } = await world.client({ protocol: 'auto', tcpTransport: tcp });
    const first = await world.drive(client.fetch('https://localhost/'));
    expect(first.protocol).toBe('h2');
    expect((await readBody(world, first)).toString()).toBe('over tcp');
    const second = await world.drive(client.fetch('https://localhost/next'));
    expect(second.protocol).toBe('h3');
    expect(second.info.alternative).toBe('localhost:443');
    expect((await readBody(world, second)).toString()).toBe('hello /next');
    // RFC 7838 §5: the alternative in use is named.
    expect(server.requests[0].header('alt-used')).toBe('localhost:443');
    await world.drive(client.close());
    await world.drive(server.close());
  });

  it('auto: an alternative that does not answer over UDP falls back to TCP after the head start', async () => {
    const world = new H3World();
    const tcp = new FakeTcpTransport({
      clock: world.clock,
      handler: () => ({ status: 200, headers: [['alt-svc', 'h3=":4444"']], body: 'tcp' }),
    });
    const { client } = await world.client({ protocol: 'auto', tcpTransport: tcp });
    await readBody(world, await world.drive(client.fetch('https://localhost/')));
    const t0 = world.clock.now();
    const second = await world.drive(client.fetch('https://localhost/again'));
    expect(second.protocol).toBe('h2');
    expect(second.info.fallback).toBe('h3-slower');
    expect(world.clock.now() - t0).toBeLessThan(400); // 300 ms head start + the TCP request
    await world.drive(client.close());
  });
});
