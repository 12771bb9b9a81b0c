// fast-check: random and mutated handshake messages fed to both roles at every state. Every case must end in success,
// in waiting for more data, or in one clean TransportError carrying a CRYPTO_ERROR (or a QUIC code RFC 9001 names) —
// never an exception escaping the engine, never internal_error, and never more buffered bytes than the limit allows.
import {
  type EncryptionLevel,
  NamedGroup,
  type QuicTlsSession,
  type QuicTlsSessionTicket,
  TransportError,
  TransportErrorCode,
} from '@fos/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, HandshakeType } from '../src/tls/constants.js';
import type { TlsContext } from '../src/tls/tls-context.js';
import { frameHandshake } from '../src/tls/wire/handshake-framing.js';
import {
  clientContext,
  clientOptions,
  connect,
  createPki,
  type Pki,
  serverContext,
  serverOptions,
} from './support/fixture.js';
import { createLeaf } from './support/pki.js';
import { joinFlight, splitFlight } from './support/rewrite.js';

const NOW = Date.now();
const MAX_MESSAGE = 16_384;
const LEVELS: EncryptionLevel[] = ['initial', 'early-data', 'handshake', 'application'];
const HANDSHAKE_TYPES = Object.values(HandshakeType);

let pki: Pki;
let scenarios: {
  name: string;
  cctx: TlsContext;
  sctx: TlsContext;
  client: Parameters<TlsContext['createClient']>[0];
  server: Parameters<TlsContext['createServer']>[0];
}[];

beforeAll(async () => {
  pki = await createPki();
  const clientLeaf = await createLeaf(pki.ca, 'p256', { names: ['client'] });
  const sctx = serverContext(pki, { maxHandshakeMessageBytes: MAX_MESSAGE });
  const cctx = clientContext(pki, { maxHandshakeMessageBytes: MAX_MESSAGE });
  const first = connect(cctx, sctx, NOW, {}, { enableEarlyData: true });
  const ticket = first.ticket as QuicTlsSessionTicket;
  scenarios = [
    { name: 'full', cctx, sctx, client: clientOptions(NOW), server: serverOptions(NOW) },
    {
      name: '0-rtt',
      cctx,
      sctx,
      client: clientOptions(NOW, { resumeSession: ticket, enableEarlyData: true }),
      server: serverOptions(NOW, { enableEarlyData: true }),
    },
    {
      name: 'hrr',
      cctx: clientContext(pki, {
        groups: [NamedGroup.x25519, NamedGroup.secp256r1],
        maxHandshakeMessageBytes: MAX_MESSAGE,
      }),
      sctx: serverContext(pki, { groups: [NamedGroup.secp256r1], maxHandshakeMessageBytes: MAX_MESSAGE }),
      client: clientOptions(NOW),
      server: serverOptions(NOW),
    },
    {
      name: 'client-auth',
      cctx: clientContext(pki, {
        certificates: [{ chain: clientLeaf.der, key: clientLeaf.key }],
        maxHandshakeMessageBytes: MAX_MESSAGE,
      }),
      sctx: serverContext(pki, {
        clientAuth: 'require',
        verify: { ca: pki.ca.pem },
        maxHandshakeMessageBytes: MAX_MESSAGE,
      }),
      client: clientOptions(NOW),
      server: serverOptions(NOW),
    },
    {
      name: 'tcp',
      cctx,
      sctx,
      client: clientOptions(NOW, { transportParameters: undefined }),
      server: serverOptions(NOW, { transportParameters: undefined }),
    },
  ];
});

/** The outcome of one session: fine, or one clean error of an allowed kind. */
const outcomes = new Map<string, number>();

function checkSession(s: QuicTlsSession & { bufferedBytes: number }): void {
  expect(s.bufferedBytes).toBeLessThanOrEqual(MAX_MESSAGE + 4);
  const err = s.error;
  const key = err === undefined ? (s.handshakeComplete ? 'complete' : 'waiting') : `0x${err.code.toString(16)}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  if (err === undefined) return;
  expect(err).toBeInstanceOf(TransportError);
  const cryptoError = err.code >= 0x100 && err.code <= 0x1ff;
  expect(cryptoError || err.code === TransportErrorCode.PROTOCOL_VIOLATION).toBe(true);
  expect(err.code).not.toBe(TransportErrorCode.CRYPTO_ERROR + AlertDescription.internal_error);
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'replace'; bytes: Uint8Array }
  | { kind: 'message'; type: number; body: Uint8Array }
  | { kind: 'level'; level: EncryptionLevel }
  | { kind: 'duplicate' }
  | { kind: 'chunks'; sizes: number[] };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({
    kind: fc.constant('message' as const),
    type: fc.oneof(fc.constantFrom(...HANDSHAKE_TYPES), fc.integer({ min: 0, max: 255 })),
    body: fc.uint8Array({ maxLength: 200 }),
  }),
  fc.record({ kind: fc.constant('level' as const), level: fc.constantFrom(...LEVELS) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
  fc.record({
    kind: fc.constant('chunks' as const),
    sizes: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
  }),
);

/** Applies `m` to message `index` of a flight (or the whole flight). Returns deliveries (level, bytes). */
function apply(level: EncryptionLevel, data: Uint8Array, m: Mutation, index: number): [EncryptionLevel, Uint8Array][] {
  const parts = splitFlight(data).map((x) => x.message);
  const i = parts.length === 0 ? 0 : index % parts.length;
  const target = parts[i] ?? data;
  const put = (bytes: Uint8Array): Uint8Array => {
    if (parts.length === 0) return bytes;
    const copy = parts.slice();
    copy[i] = bytes;
    return joinFlight(copy);
  };
  switch (m.kind) {
    case 'flip': {
      const copy = target.slice();
      if (copy.length > 0) copy[m.at % copy.length] ^= 1 << m.bit;
      return [[level, put(copy)]];
    }
    case 'truncate':
      return [[level, put(target.subarray(0, m.keep % (target.length + 1)))]];
    case 'append':
      return [[level, put(Uint8Array.from([...target, ...m.bytes]))]];
    case 'replace':
      return [[level, put(m.bytes)]];
    case 'message':
      return [[level, put(frameHandshake(m.type, m.body))]];
    case 'level':
      return [[m.level, data]];
    case 'duplicate':
      return [
        [level, data],
        [level, data],
      ];
    case 'chunks': {
      const out: [EncryptionLevel, Uint8Array][] = [];
      let p = 0;
      for (let k = 0; p < data.length; k++) {
        const n = m.sizes[k % m.sizes.length];
        out.push([level, data.subarray(p, p + n)]);
        p += n;
      }
      return out;
    }
  }
}

/** Runs a scenario, mutating the `step`-th delivery. No exception may escape. */
function run(scenarioIndex: number, step: number, m: Mutation, index: number, extra: Uint8Array | undefined): void {
  const sc = scenarios[scenarioIndex % scenarios.length];
  const client = sc.cctx.createClient(sc.client);
  const server = sc.sctx.createServer(sc.server);
  let delivery = 0;
  for (let round = 0; round < 30; round++) {
    let moved = false;
    for (const [src, dst] of [
      [client, server],
      [server, client],
    ] as const) {
      for (let e = src.pollEvent(); e !== undefined; e = src.pollEvent()) {
        moved = true;
        if (e.type !== 'handshake-data') continue;
        const deliveries =
          delivery++ === step ? apply(e.level, e.data, m, index) : [[e.level, e.data] as [EncryptionLevel, Uint8Array]];
        for (const [lvl, bytes] of deliveries) dst.handleCryptoData(lvl, bytes, NOW);
      }
    }
    if (!moved) break;
  }
  // After the handshake (or its failure): random bytes at the application level to both.
  if (extra !== undefined) {
    client.handleCryptoData('application', extra, NOW);
    server.handleCryptoData('application', extra, NOW);
  }
  checkSession(client);
  checkSession(server);
}

describe('fuzzing the engine', () => {
  afterAll(() => {
    if (process.env.FUZZ_STATS) console.log(Object.fromEntries([...outcomes].sort()));
  });

  const mutatedRuns = fc.property(
    fc.nat(),
    fc.integer({ min: 0, max: 6 }),
    mutation,
    fc.nat(),
    fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined }),
    (scenario, step, m, index, extra) => run(scenario, step, m, index, extra),
  );

  it('mutated messages at every step of every scenario end cleanly', () => {
    fc.assert(mutatedRuns, { numRuns: 150 });
  });

  it('the mutations reach deep states: successes, stalls and many distinct alerts (a fixed seed)', () => {
    // Which alerts 150 random runs reach varies; the coverage claim is checked on one reproducible sequence.
    outcomes.clear();
    fc.assert(mutatedRuns, { numRuns: 150, seed: 20_261_125 });
    expect(outcomes.get('complete')).toBeGreaterThan(0);
    expect(outcomes.get('waiting')).toBeGreaterThan(0);
    expect([...outcomes.keys()].filter((k) => k.startsWith('0x')).length).toBeGreaterThanOrEqual(5);
  });

  it('random byte streams at any level end cleanly in fresh sessions of both roles', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...LEVELS), fc.uint8Array({ maxLength: 400 })), { maxLength: 6 }),
        fc.boolean(),
        (chunks, asServer) => {
          const sc = scenarios[0];
          const session = asServer ? sc.sctx.createServer(sc.server) : sc.cctx.createClient(sc.client);
          for (const [level, data] of chunks) session.handleCryptoData(level, data, NOW);
          checkSession(session);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('well-framed random messages of every type end cleanly in every state', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(...HANDSHAKE_TYPES),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...LEVELS),
        (scenario, step, type, body, level) => {
          run(scenario, step, { kind: 'message', type, body }, 0, undefined);
          run(scenario, step, { kind: 'level', level }, 0, undefined);
        },
      ),
      { numRuns: 60 },
    );
  });
});
