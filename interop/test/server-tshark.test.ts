// tshark on lo: gtlsclient ↔ OUR HTTP/3 server (@fos/server, in this process). The capture decrypts with
// gtlsclient's key log and with the key log our server writes (`keyLogFile`); nothing is malformed; tshark
// dissects our HTTP/3 frames (SETTINGS with QPACK_MAX_TABLE_CAPACITY, HEADERS); and our HEADERS reference the QPACK
// dynamic table (a non-zero Required Insert Count, RFC 9204 §4.5.1.1). Whether gtlsclient's do depends on whether
// our SETTINGS (sent in 0.5-RTT) reached it before it encoded a request, so it is not asserted here
// (server-gtls checks our decoder against nghttp3's inserts).
//
// tshark 4.0.17 quirk (see test/tshark.test.ts): in a 0-RTT connection the server's first 1-RTT packet may fail to
// decrypt in tshark although the client decrypts it, so that connection is checked for its 0-RTT packet and for
// nothing malformed, allowing one undecrypted datagram.
import { join } from 'node:path';
import { createHttp3Server, type Http3Server, serveStatic } from '@fos/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  assessCapture,
  createDocroot,
  DEFAULT_FIELDS,
  type DecodedFrame,
  decodeCapture,
  describeWithPeers,
  framesByConnection,
  generateCertificate,
  gtlsGet,
  httpsUrl,
  makeTempDir,
  packetTypes,
  startCapture,
  verifyDownload,
} from '../src/index.js';

const FIELDS = [
  ...DEFAULT_FIELDS,
  'udp.srcport',
  'http3.frame_payload',
  'http3.settings.qpack.max_table_capacity',
  'quic.stream.stream_id',
];

/** RFC 9204 §4.5.1.1: the Encoded Required Insert Count, an 8-bit prefix integer at the start of a field section. */
function encodedRequiredInsertCount(payloadHex: string): number {
  const first = Number.parseInt(payloadHex.slice(0, 2), 16);
  if (first < 0xff) return first;
  return 0xff; // a larger value: certainly not zero
}

/** The payloads of HEADERS frames (type 0x01) in `frames` sent from `port`, when tshark listed them one to one. */
function headersPayloads(frames: readonly DecodedFrame[], port: number): string[] {
  const out: string[] = [];
  for (const f of frames) {
    if (Number(f.fields['udp.srcport']?.[0]) !== port) continue;
    const types = f.fields['http3.frame_type'] ?? [];
    const payloads = f.fields['http3.frame_payload'] ?? [];
    if (types.length !== payloads.length) continue; // not paired reliably
    types.forEach((t, i) => {
      if (Number(t) === 1) out.push(payloads[i].replace(/:/g, ''));
    });
  }
  return out;
}

describeWithPeers(
  'tshark capture of gtlsclient ↔ our HTTP/3 server',
  ['tshark', 'gtlsclient'],
  () => {
    let server: Http3Server;
    let port: number;
    let file: string;
    let clientKeys: string;
    let serverKeys: string;
    let captured: number | undefined;

    beforeAll(async () => {
      const cert = await generateCertificate();
      const docroot = await createDocroot({ '1k.bin': 1024, 'a.txt': 10, 'b.txt': 20, 'c.txt': 30 });
      const dir = makeTempDir('our-tshark');
      clientKeys = join(dir, 'client-keys.log');
      serverKeys = join(dir, 'server-keys.log');
      server = await createHttp3Server({
        host: '127.0.0.1',
        port: 0,
        certificate: { certFile: cert.certPath, keyFile: cert.keyPath },
        handler: serveStatic(docroot.dir),
        earlyData: true,
        serverHeader: 'fos-h3',
        keyLogFile: serverKeys,
      });
      port = server.address.port;
      const endpoint = { host: '127.0.0.1', port, url: (p: string) => httpsUrl('127.0.0.1', port, p) };
      const state = { sessionFile: join(dir, 'session.pem'), tpFile: join(dir, 'tp.txt') };
      const capture = await startCapture({ ports: port });
      file = capture.file;
      // 0: full handshake, four requests; 1: resumed with 0-RTT
      const paths = ['/1k.bin', '/a.txt', '/b.txt', '/c.txt'];
      const first = await gtlsGet(endpoint, paths, { keylogFile: clientKeys, ...state });
      expect(first.ok, first.stderr).toBe(true);
      await verifyDownload(first.downloadPath(endpoint.url('/1k.bin')), docroot.file('1k.bin'));
      const second = await gtlsGet(endpoint, ['/1k.bin'], { keylogFile: clientKeys, ...state });
      expect(second.ok, second.stderr).toBe(true);
      await verifyDownload(second.downloadPath(endpoint.url('/1k.bin')), docroot.file('1k.bin'));
      captured = (await capture.stop()).packets;
    });

    afterAll(async () => {
      await server?.close({ graceMs: 0 });
    });

    it('the full-handshake connection decrypts completely with the client’s key log; nothing malformed', async () => {
      const decoded = await decodeCapture(file, { keylogFile: clientKeys, fields: FIELDS, quicPorts: [port] });
      expect(decoded.length).toBe(captured);
      const conns = framesByConnection(decoded);
      expect([...conns.keys()]).toEqual([0, 1]);
      const frames = conns.get(0) ?? [];
      const health = assessCapture(frames);
      expect(health, JSON.stringify(health)).toMatchObject({ ok: true, malformed: [], undecrypted: [] });
      const types = new Set(frames.flatMap(packetTypes));
      for (const t of ['Initial', 'Handshake', '1-RTT']) expect(types.has(t)).toBe(true);
    });

    it('… and with the key log our server wrote (keyLogFile)', async () => {
      const decoded = await decodeCapture(file, { keylogFile: serverKeys, fields: FIELDS, quicPorts: [port] });
      const health = assessCapture(framesByConnection(decoded).get(0) ?? []);
      expect(health, JSON.stringify(health)).toMatchObject({ ok: true, malformed: [], undecrypted: [] });
      // without a key log the same capture does not decrypt (the check can fail)
      expect(assessCapture(await decodeCapture(file, { quicPorts: [port] })).ok).toBe(false);
    });

    it('tshark dissects our HTTP/3 frames: SETTINGS (QPACK_MAX_TABLE_CAPACITY 4096) and HEADERS', async () => {
      const decoded = await decodeCapture(file, { keylogFile: clientKeys, fields: FIELDS, quicPorts: [port] });
      const frames = framesByConnection(decoded).get(0) ?? [];
      const ours = frames.filter((f) => Number(f.fields['udp.srcport']?.[0]) === port);
      const theirs = frames.filter((f) => Number(f.fields['udp.srcport']?.[0]) !== port);
      const h3Types = (fs: DecodedFrame[]) =>
        new Set(fs.flatMap((f) => f.fields['http3.frame_type'] ?? []).map(Number));
      // RFC 9114 §7.2: SETTINGS 0x04 on each control stream, HEADERS 0x01 on request streams
      for (const t of [0x01, 0x04]) expect(h3Types(ours).has(t), `our frame types ${[...h3Types(ours)]}`).toBe(true);
      for (const t of [0x01, 0x04]) expect(h3Types(theirs).has(t)).toBe(true);
      const capacity = ours.flatMap((f) => f.fields['http3.settings.qpack.max_table_capacity'] ?? []).map(Number);
      expect(capacity).toEqual([4096]);
    });

    it('QPACK on the wire: our response HEADERS reference the dynamic table', async () => {
      const decoded = await decodeCapture(file, { keylogFile: clientKeys, fields: FIELDS, quicPorts: [port] });
      const frames = framesByConnection(decoded).get(0) ?? [];
      const ours = headersPayloads(frames, port);
      const clientPort = Number(
        frames.find((f) => Number(f.fields['udp.srcport']?.[0]) !== port)?.fields['udp.srcport']?.[0],
      );
      const theirs = headersPayloads(frames, clientPort);
      expect(ours.length).toBeGreaterThanOrEqual(2);
      expect(theirs.length).toBeGreaterThanOrEqual(2);
      expect(
        ours.some((p) => encodedRequiredInsertCount(p) !== 0),
        ours.join(' '),
      ).toBe(true);
    });

    it('the 0-RTT connection: its 0-RTT packet decrypts (the request on stream 0), nothing malformed', async () => {
      const decoded = await decodeCapture(file, { keylogFile: clientKeys, fields: FIELDS, quicPorts: [port] });
      const conn = framesByConnection(decoded).get(1) ?? [];
      const zeroRtt = conn.filter((f) => packetTypes(f).includes('0-RTT'));
      expect(zeroRtt.length).toBeGreaterThan(0);
      expect(zeroRtt.flatMap((f) => f.fields['quic.stream.stream_id'] ?? [])).toContain('0');
      const health = assessCapture(conn);
      expect(health.malformed).toEqual([]);
      expect(health.undecrypted.length).toBeLessThanOrEqual(1);
    });
  },
  { root: true },
);
