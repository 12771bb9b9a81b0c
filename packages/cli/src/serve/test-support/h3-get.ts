// A minimal HTTP/3 GET over real UDP for the serve command's tests (the full client is @fos/client).

import { registerNewReno } from '@fos/congestion-newreno';
import { Clock, createContainer, registerCore, resolve } from '@fos/core';
import { registerCrypto } from '@fos/crypto';
import { deliverQuicEvent, H3Connection, type H3Headers, QuicH3Transport } from '@fos/http3';
import { createQuicEndpoint, registerQuic } from '@fos/quic';
import { registerUdp } from '@fos/udp';

export interface GetResult {
  status: number;
  headers: H3Headers;
  body: Buffer;
}

/** GETs `paths` from 127.0.0.1:`port` on one connection, trusting `ca` (PEM) or pinning nothing (`verify: false`). */
export async function h3Get(port: number, paths: readonly string[], ca: string): Promise<GetResult[]> {
  const c = createContainer();
  registerCore(c);
  registerUdp(c);
  registerCrypto(c, { tls: { verify: { ca } } });
  registerNewReno(c);
  registerQuic(c);
  const clock = resolve(c, Clock);
  const endpoint = await createQuicEndpoint(c, { bind: { address: '127.0.0.1', port: 0 } });
  try {
    const quic = await endpoint.connect({ address: '127.0.0.1', port, serverName: 'localhost', alpn: 'h3' });
    const h3 = new H3Connection({ transport: new QuicH3Transport(quic.connection, () => clock.now()) });
    const results = paths.map(() => ({ status: 0, headers: [] as H3Headers, chunks: [] as Uint8Array[] }));
    let done = 0;
    let finish!: () => void;
    let fail!: (e: Error) => void;
    const all = new Promise<void>((res, rej) => {
      finish = res;
      fail = rej;
    });
    const byRequest = new Map<unknown, number>();
    const drain = () => {
      for (let e = h3.pollEvent(); e !== undefined; e = h3.pollEvent()) {
        const i = 'request' in e && e.request !== undefined ? byRequest.get(e.request) : undefined;
        if (e.type === 'closed') fail(new Error(`connection closed: ${e.code}`));
        if (i === undefined) continue;
        if (e.type === 'response') {
          results[i].status = e.status;
          results[i].headers = e.headers;
        } else if (e.type === 'data') results[i].chunks.push(e.data);
        else if (e.type === 'end' || e.type === 'stream-error') {
          if (++done === paths.length) finish();
        }
      }
    };
    quic.setRawListener((e) => {
      deliverQuicEvent(h3, e);
      drain();
    });
    h3.start();
    paths.forEach((path, i) => {
      const req = h3.request(
        [
          [':method', 'GET'],
          [':scheme', 'https'],
          [':authority', `localhost:${port}`],
          [':path', path],
        ],
        { endStream: true },
      );
      byRequest.set(req, i);
    });
    drain();
    quic.wake();
    await all;
    h3.close();
    quic.wake();
    return results.map((r) => ({ status: r.status, headers: r.headers, body: Buffer.concat(r.chunks) }));
  } finally {
    await endpoint.close();
  }
}
