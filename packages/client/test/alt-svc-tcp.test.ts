// Alt-Svc learned from real TCP responses (node:http2 and node:https), with the fake HTTP/3 factory standing in for
// QUIC: the first request goes over TCP, later ones over "HTTP/3"; a dead UDP path falls back to TCP.
import { SystemClock } from '@fos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { FakeH3SessionFactory } from '../src/testing/index.js';
import { loopbackLookup } from './support/helpers.js';
import { createPki, type TestPki } from './support/pki.js';
import { startServer, type TestServer } from './support/servers.js';

let pki: TestPki;
let h2: TestServer;
let h1: TestServer;

beforeAll(async () => {
  pki = await createPki();
  [h2, h1] = await Promise.all([startServer('h2', pki.leaf), startServer('https', pki.leaf)]);
});

afterAll(async () => {
  await Promise.all([h2.close(), h1.close()]);
});

function setup() {
  const clock = new SystemClock({ unrefTimers: true });
  const h3 = new FakeH3SessionFactory({ clock, handshakeMs: 5 });
  const client = createClient({ ca: pki.ca.certPem, lookup: loopbackLookup, h3SessionFactory: h3, clock });
  return { h3, client };
}

describe('Alt-Svc from real TCP servers', () => {
  it('h2: the Alt-Svc header moves the next request to HTTP/3', async () => {
    h2.altSvc = `h3=":${h2.port}"; ma=600`;
    try {
      const { h3, client } = setup();
      const first = await client.fetch(`${h2.origin}/echo`);
      expect(first.protocol).toBe('h2');
      await first.text();
      expect(client.altSvc.lookup(h2.origin, 0, 'h3')).toHaveLength(1);
      const second = await client.fetch(`${h2.origin}/echo`);
      expect(second.protocol).toBe('h3');
      expect(await second.text()).toBe('h3 ok');
      expect(h3.connects[0].target).toMatchObject({ host: '127.0.0.1', port: h2.port, serverName: '127.0.0.1' });
      expect(h3.connects[0].options.tls.ca).toHaveLength(1);
      await client.close();
    } finally {
      h2.altSvc = undefined;
    }
  });

  it('h2: an ALTSVC frame (RFC 7838 §4) is learned like the header', async () => {
    const { client } = setup();
    const res = await client.fetch(`${h2.origin}/altsvc-frame?v=${encodeURIComponent('h3=":4443"')}`);
    await res.text();
    expect(client.altSvc.lookup(h2.origin, 0, 'h3').map((a) => a.port)).toEqual([4443]);
    await client.close();
  });

  it('http/1.1: learned the same way; with UDP dead the request still succeeds over TCP', async () => {
    h1.altSvc = `h3=":${h1.port}"`;
    try {
      const { h3, client } = setup();
      expect((await client.fetch(`${h1.origin}/echo`)).protocol).toBe('http/1.1');
      h3.nextConnect({ kind: 'blackhole' });
      const res = await client.fetch(`${h1.origin}/echo`);
      expect(res.protocol).toBe('http/1.1');
      expect(res.info.fallback).toBe('h3-slower');
      expect(((await res.json()) as { httpVersion: string }).httpVersion).toBe('1.1');
      await client.close();
    } finally {
      h1.altSvc = undefined;
    }
  });
});
