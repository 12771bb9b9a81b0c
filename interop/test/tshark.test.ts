// tshark on lo: gtlsclient ↔ gtlsserver exchanges (a full handshake, a resumed one, and a resumed one with
// 0-RTT) decrypt with gtlsclient's SSLKEYLOGFILE and nothing is malformed; without the key log they do not; a
// hand-made truncated datagram is reported malformed.
//
// tshark 4.0.17 quirk: in the 0-RTT connection, the server's first 1-RTT (0.5-RTT) packet, coalesced after its
// Handshake packet, fails to decrypt ("checktag failed") although gtlsclient decrypts it (its log shows
// `pkt rx pkn=0 ... type=1RTT`); the same exchange without early data decrypts completely. So the 0-RTT
// connection is checked for its 0-RTT packet and nothing malformed, not for complete decryption.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  assessCapture,
  createDocroot,
  type DecodedFrame,
  decodeCapture,
  describeWithPeers,
  framesByConnection,
  generateCertificate,
  gtlsGet,
  HarnessErrorCode,
  makeTempDir,
  packetTypes,
  startCapture,
  startGtlsServer,
  verifyDownload,
} from '../src/index.js';
import { writeUdpPcap } from './support/pcap.js';

describeWithPeers(
  'tshark capture of gtlsclient ↔ gtlsserver',
  ['tshark', 'gtlsserver', 'gtlsclient'],
  () => {
    let file: string;
    let keylog: string;
    let port: number;
    let captured: number | undefined;

    beforeAll(async () => {
      const cert = await generateCertificate();
      const docroot = await createDocroot({ '1k.bin': 1024 });
      const server = await startGtlsServer({ docroot: docroot.dir, cert });
      port = server.port;
      const dir = makeTempDir('tshark');
      keylog = join(dir, 'keys.log');
      const state = { sessionFile: join(dir, 'session.pem'), tpFile: join(dir, 'tp.txt') };
      const capture = await startCapture({ ports: port });
      file = capture.file;
      // 1: full handshake; 2: resumed without early data; 3: resumed with 0-RTT.
      for (const disableEarlyData of [true, true, false]) {
        const r = await gtlsGet(server, ['/1k.bin'], { keylogFile: keylog, ...state, disableEarlyData });
        expect(r.ok, r.stderr).toBe(true);
        await verifyDownload(r.downloadPath(server.url('/1k.bin')), docroot.file('1k.bin'));
      }
      captured = (await capture.stop()).packets;
      await server.stop();
    });

    it('wrote a capture and a key log with the client’s secrets', () => {
      expect(existsSync(file)).toBe(true);
      expect(captured).toBeGreaterThan(0);
      const labels = new Set(
        readFileSync(keylog, 'utf8')
          .split('\n')
          .map((l) => l.split(' ')[0]),
      );
      for (const l of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0', 'CLIENT_EARLY_TRAFFIC_SECRET']) {
        expect(labels.has(l)).toBe(true);
      }
    });

    it('decrypts every packet of the full and the resumed handshake, nothing malformed; QUIC and HTTP/3 frames dissected', async () => {
      const decoded = await decodeCapture(file, { keylogFile: keylog });
      expect(decoded.length).toBe(captured);
      const conns = framesByConnection(decoded);
      expect([...conns.keys()]).toEqual([0, 1, 2]);
      const frames = [...(conns.get(0) ?? []), ...(conns.get(1) ?? [])];
      const health = assessCapture(frames);
      expect(health, JSON.stringify(health)).toMatchObject({ ok: true, malformed: [], undecrypted: [] });
      const types = new Set(frames.flatMap(packetTypes));
      for (const t of ['Initial', 'Handshake', '1-RTT']) expect(types.has(t)).toBe(true);
      expect(types.has('0-RTT')).toBe(false);
      const all = (f: string) => new Set(frames.flatMap((x: DecodedFrame) => x.fields[f] ?? []).map(Number));
      const quicFrames = all('quic.frame_type');
      // RFC 9000 §19: CRYPTO 0x06, HANDSHAKE_DONE 0x1e, a STREAM frame 0x08..0x0f
      expect(quicFrames.has(0x06)).toBe(true);
      expect(quicFrames.has(0x1e)).toBe(true);
      expect([...quicFrames].some((t) => t >= 0x08 && t <= 0x0f)).toBe(true);
      // RFC 9114 §7.2: HEADERS 0x01, SETTINGS 0x04 (tshark 4.0 does not reliably dissect response DATA frames).
      const h3 = all('http3.frame_type');
      for (const t of [0x01, 0x04]) expect(h3.has(t), `http3 frame types seen: ${[...h3]}`).toBe(true);
      // Both endpoints' control streams carry SETTINGS: at least two per connection.
      const settings = frames.flatMap((f) => f.fields['http3.frame_type'] ?? []).filter((t) => Number(t) === 4);
      expect(settings.length).toBeGreaterThanOrEqual(4);
    });

    it('the 0-RTT connection: its 0-RTT packet decrypts (the request on stream 0), nothing malformed', async () => {
      const conn = framesByConnection(await decodeCapture(file, { keylogFile: keylog })).get(2) ?? [];
      const zeroRtt = conn.filter((f) => packetTypes(f).includes('0-RTT'));
      expect(zeroRtt.length).toBeGreaterThan(0);
      const first = await decodeCapture(file, {
        keylogFile: keylog,
        fields: ['quic.stream.stream_id'],
        displayFilter: `frame.number == ${zeroRtt[0].frame}`,
      });
      expect(first[0].fields['quic.stream.stream_id']).toContain('0');
      const health = assessCapture(conn);
      expect(health.malformed).toEqual([]);
      // At most the tshark quirk described at the top: one undecrypted server datagram.
      expect(health.undecrypted.length).toBeLessThanOrEqual(1);
    });

    it('without the key log the same capture is reported undecrypted (the check can fail)', async () => {
      const health = assessCapture(await decodeCapture(file));
      expect(health.ok).toBe(false);
      expect(health.undecrypted.length).toBeGreaterThan(0);
      expect(health.decryptionMessages.length).toBeGreaterThan(0);
    });

    it('a capture that cannot start (no such interface) is a START_FAILED, and tshark is gone', async () => {
      const err = await startCapture({ ports: port, iface: 'fos-no-such0' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: HarnessErrorCode.START_FAILED });
    });

    it('a truncated datagram is reported malformed', async () => {
      const pcap = join(makeTempDir('pcap'), 'bad.pcap');
      writeUdpPcap(pcap, [Uint8Array.of(0xc0, 0x00, 0x00, 0x00)], port);
      const health = assessCapture(await decodeCapture(pcap, { quicPorts: [port] }));
      expect(health.malformed).toEqual([1]);
      expect(health.ok).toBe(false);
    });
  },
  { root: true },
);
