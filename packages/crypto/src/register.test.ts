import {
  CipherSuite,
  CryptoProvider,
  type CryptoProvider as CryptoProviderType,
  createContainer,
  QuicPacketProtection,
  QuicTls,
  QuicTlsSessionCache,
  QuicVersion,
  resolve,
} from '@fos/core';
import { describe, expect, it } from 'vitest';
import { CryptoPacketProtection, MemorySessionCache, NodeCryptoProvider, registerCrypto, TlsContext } from './index.js';

describe('registerCrypto', () => {
  it('registers the TLS engine (QuicTls) with the given options and a session cache', () => {
    const lines: string[] = [];
    const c = registerCrypto(createContainer(), { tls: { keyLog: (l) => lines.push(l) } });
    const tls = resolve(c, QuicTls);
    expect(tls).toBeInstanceOf(TlsContext);
    expect(resolve(c, QuicTls)).toBe(tls);
    expect((tls as TlsContext).config.keyLog).toBeDefined();
    expect(resolve(c, QuicTlsSessionCache)).toBeInstanceOf(MemorySessionCache);
    const session = tls.createClient({
      alpnProtocols: ['h3'],
      transportParameters: new Uint8Array(0),
      epochMs: Date.now(),
      serverName: 'example.org',
    });
    const first = session.pollEvent();
    expect(first).toMatchObject({ type: 'handshake-data', level: 'initial' });
  });

  it('registers NodeCryptoProvider and a packet protection built on it, as container singletons', () => {
    const c = registerCrypto(createContainer());
    const provider = resolve(c, CryptoProvider);
    expect(provider).toBeInstanceOf(NodeCryptoProvider);
    const protection = resolve(c, QuicPacketProtection);
    expect(protection).toBeInstanceOf(CryptoPacketProtection);
    expect(resolve(c, QuicPacketProtection)).toBe(protection);
    expect(resolve(c, CryptoProvider)).toBe(provider);
  });

  it('packet protection runs on a user-supplied provider, given as an option or registered afterwards', () => {
    const calls: string[] = [];
    const base = new NodeCryptoProvider();
    // a provider that records what it is asked for and delegates to node:crypto
    const spy = new Proxy(base, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return value.apply(target, args);
        };
      },
    }) as CryptoProviderType;

    const viaOption = registerCrypto(createContainer(), { provider: spy });
    expect(resolve(viaOption, CryptoProvider)).toBe(spy);
    resolve(viaOption, QuicPacketProtection).fromSecret(
      QuicVersion.V1,
      CipherSuite.TLS_AES_128_GCM_SHA256,
      new Uint8Array(32),
    );
    expect(calls).toContain('createAeadKey');
    expect(calls).toContain('createHeaderProtectionKey');

    calls.length = 0;
    const overridden = registerCrypto(createContainer());
    overridden.register(CryptoProvider, { useValue: spy });
    resolve(overridden, QuicPacketProtection).initial(QuicVersion.V2, new Uint8Array(8), 'server');
    expect(calls).toContain('hkdfExtract');
  });

  it('the README example runs: Initial keys from the container, protect → unprotect', () => {
    const container = registerCrypto(createContainer());
    const protection = resolve(container, QuicPacketProtection);
    const dcid = Uint8Array.from([0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]);
    const client = protection.initial(QuicVersion.V1, dcid, 'client');
    const server = protection.initial(QuicVersion.V1, dcid, 'server');
    const buf = new Uint8Array(1 + 1 + 20 + 16);
    buf[0] = 0x40;
    buf[1] = 7;
    buf.fill(0x01, 2, 22);
    const end = client.write.protect(buf, 0, 1, 1, 7, 22);
    const pnLength = server.read.unprotectHeader(buf, 0, 1, end);
    const plaintextEnd = server.read.decrypt(buf, 0, 1 + pnLength, end, 7);
    expect([end, pnLength, plaintextEnd]).toEqual([38, 1, 22]);
    expect(buf.subarray(2, 22).every((b) => b === 1)).toBe(true);
    const oneRtt = protection.fromSecret(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, new Uint8Array(32));
    expect(oneRtt.nextGeneration().generation).toBe(1);
  });

  it('child containers keep their own registrations', () => {
    const parent = registerCrypto(createContainer());
    const child = registerCrypto(createContainer(parent), { provider: new NodeCryptoProvider() });
    expect(resolve(child, CryptoProvider)).not.toBe(resolve(parent, CryptoProvider));
  });
});
