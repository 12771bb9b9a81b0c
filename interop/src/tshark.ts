import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { isRoot } from './env.js';
import { HarnessError, HarnessErrorCode } from './errors.js';
import { makeTempDir } from './lifecycle.js';
import { type PeerProcess, spawnPeer } from './peer-process.js';
import { findPeer, PEERS } from './peers.js';
import { freeUdpPort } from './ports.js';

/** Options of {@link startCapture}. */
export interface CaptureOptions {
  /** UDP port(s) to capture (capture filter `udp port P [or udp port Q]`). */
  ports: number | readonly number[];
  /** Interface (default `lo`). */
  iface?: string;
  /** Output pcapng (default: `capture.pcapng` in a new temp dir). */
  file?: string;
  /** Safety stop: tshark ends by itself after this many seconds (default 120). */
  maxSeconds?: number;
  /** How long to wait for the capture to start (default 10 s). */
  readyTimeoutMs?: number;
}

/** A running packet capture. */
export interface Capture {
  readonly file: string;
  readonly process: PeerProcess;
  /** The UDP port the flush sentinel is sent to (also in the capture filter; the datagram is not QUIC). */
  readonly sentinelPort: number;
  /**
   * Flushes and stops the capture: sends a sentinel datagram, waits until tshark has seen it (so every packet
   * sent before is in the file — dumpcap hands packets over in batches, ~0.25-0.5 s late, and a plain SIGINT
   * loses the last batch), then SIGINT. `packets` excludes the sentinel; `flushed` is false when the sentinel
   * was not seen within 5 s (the file may then miss the last packets).
   */
  stop(): Promise<{ packets: number | undefined; flushed: boolean }>;
}

function tsharkPath(): string {
  const path = findPeer('tshark');
  if (!path) {
    throw new HarnessError(
      HarnessErrorCode.PEER_MISSING,
      `tshark not found (Debian package ${PEERS.tshark.debianPackage})`,
    );
  }
  return path;
}

const SENTINEL = Buffer.from('fos-interop capture sentinel');

function sendSentinel(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.send(SENTINEL, port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

/**
 * Starts `tshark -i lo -f 'udp port P ...' -w FILE` (root needed) and resolves once tshark reports
 * "Capture started" — its earlier "Capturing on 'lo'" line comes ~0.4 s before packets are really captured.
 * While capturing, tshark prints each packet's frame number and UDP destination port (QUIC dissection off,
 * so it stays cheap), which is how {@link Capture.stop} knows the capture has caught up.
 */
export async function startCapture(options: CaptureOptions): Promise<Capture> {
  const tshark = tsharkPath();
  if (!isRoot()) throw new HarnessError(HarnessErrorCode.NOT_PERMITTED, 'packet capture on lo needs root');
  const ports = typeof options.ports === 'number' ? [options.ports] : options.ports;
  if (ports.length === 0) throw new RangeError('no port to capture');
  const sentinelPort = await freeUdpPort();
  const file = options.file ?? join(makeTempDir('capture'), 'capture.pcapng');
  const filter = [...ports, sentinelPort].map((p) => `udp port ${p}`).join(' or ');
  const p = spawnPeer({
    name: 'tshark',
    command: tshark,
    args: [
      ...['-i', options.iface ?? 'lo', '-f', filter, '-a', `duration:${options.maxSeconds ?? 120}`, '-w', file],
      ...['-P', '-l', '-n', '--disable-protocol', 'quic', '-T', 'fields', '-e', 'frame.number', '-e', 'udp.dstport'],
    ],
    stopGraceMs: 5000,
  });
  try {
    await Promise.race([
      p.stderr.waitFor(/Capture started/, options.readyTimeoutMs ?? 10_000),
      p.exited.then(() => {
        throw new HarnessError(HarnessErrorCode.START_FAILED, 'tshark exited before the capture started', {
          detail: p.outputTail(),
        });
      }),
    ]);
  } catch (err) {
    await p.stop();
    const tail = p.outputTail();
    // dumpcap without CAP_NET_RAW (e.g. a container that drops it, even as root)
    if (/permission|not permitted/i.test(tail)) {
      throw new HarnessError(HarnessErrorCode.NOT_PERMITTED, `tshark may not capture on ${options.iface ?? 'lo'}`, {
        detail: tail,
      });
    }
    if (err instanceof HarnessError && err.code === HarnessErrorCode.BAD_OUTPUT) {
      throw new HarnessError(HarnessErrorCode.START_FAILED, 'tshark exited before the capture started', {
        detail: tail,
      });
    }
    throw err;
  }
  const sentinelLine = new RegExp(`^\\d+\\t${sentinelPort}$`);
  return {
    file,
    process: p,
    sentinelPort,
    async stop() {
      let flushed = false;
      if (p.running) {
        await sendSentinel(sentinelPort);
        flushed = await p.stdout.waitFor(sentinelLine, 5000).then(
          () => true,
          () => false,
        );
        if (p.running) process.kill(p.pid, 'SIGINT');
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        p.exited,
        new Promise<void>((r) => {
          timer = setTimeout(r, 5000);
        }),
      ]);
      clearTimeout(timer);
      if (p.running) await p.stop();
      const m = /(\d+) packets? captured/.exec(p.stderr.text());
      const total = m ? Number(m[1]) : undefined;
      return { packets: total === undefined ? undefined : flushed ? total - 1 : total, flushed };
    },
  };
}

/** The fields {@link decodeCapture} extracts by default. */
export const DEFAULT_FIELDS = [
  'frame.number',
  'quic.connection.number',
  'quic.header_form',
  'quic.long.packet_type',
  'quic.version',
  'quic.frame_type',
  'http3.frame_type',
  'quic.decryption_failed',
  '_ws.malformed',
  '_ws.expert.message',
] as const;

/** One frame of a decoded capture: every requested field's values (several for coalesced packets/frames). */
export interface DecodedFrame {
  frame: number;
  fields: Record<string, string[]>;
}

/** Options of {@link decodeCapture}. */
export interface DecodeOptions {
  /** NSS key log (SSLKEYLOGFILE) to decrypt QUIC with. */
  keylogFile?: string;
  /** Fields to extract (default {@link DEFAULT_FIELDS}); `frame.number` is always first. */
  fields?: readonly string[];
  /** Display filter (default `quic`). */
  displayFilter?: string;
  /** Decode these UDP ports as QUIC (`-d udp.port==P,quic`) in case the heuristics miss them. */
  quicPorts?: readonly number[];
  /** Time limit (default 30 s). */
  timeoutMs?: number;
}

// Values of one field are joined with this (-E aggregator); it does not occur in tshark's text output.
const AGGREGATOR = '\u001f';

/** Parses `tshark -T fields -E separator=/t -E occurrence=a -E aggregator=<US>` output. */
export function parseFieldsOutput(text: string, fields: readonly string[]): DecodedFrame[] {
  const out: DecodedFrame[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cols = line.split('\t');
    const frame = Number(cols[0]);
    if (!Number.isInteger(frame)) {
      throw new HarnessError(HarnessErrorCode.BAD_OUTPUT, `unexpected tshark output line: ${line.slice(0, 200)}`);
    }
    const values: Record<string, string[]> = {};
    fields.forEach((f, i) => {
      const v = cols[i] ?? '';
      values[f] = v === '' ? [] : v.split(AGGREGATOR);
    });
    out.push({ frame, fields: values });
  }
  return out;
}

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new HarnessError(HarnessErrorCode.BAD_OUTPUT, `${cmd} failed: ${err.message}`, {
            detail: stderr,
            cause: err,
          }),
        );
      } else resolve({ stdout, stderr });
    });
  });
}

/** Reads a capture with tshark (decrypting with `keylogFile`) and returns the requested fields per frame. */
export async function decodeCapture(file: string, options: DecodeOptions = {}): Promise<DecodedFrame[]> {
  const tshark = tsharkPath();
  const requested = options.fields ?? DEFAULT_FIELDS;
  const fields = ['frame.number', ...requested.filter((f) => f !== 'frame.number')];
  const args = ['-r', file, '-n'];
  if (options.keylogFile) args.push('-o', `tls.keylog_file:${options.keylogFile}`);
  for (const p of options.quicPorts ?? []) args.push('-d', `udp.port==${p},quic`);
  args.push('-Y', options.displayFilter ?? 'quic', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a');
  args.push('-E', `aggregator=${AGGREGATOR}`);
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run(tshark, args, options.timeoutMs ?? 30_000);
  return parseFieldsOutput(stdout, fields);
}

/**
 * Groups decoded frames by tshark's QUIC connection number (`quic.connection.number`, 0-based in capture order);
 * frames without one (not QUIC) are left out.
 */
export function framesByConnection(frames: readonly DecodedFrame[]): Map<number, DecodedFrame[]> {
  const out = new Map<number, DecodedFrame[]>();
  for (const f of frames) {
    const n = f.fields['quic.connection.number']?.[0];
    if (n === undefined) continue;
    const key = Number(n);
    const list = out.get(key);
    if (list) list.push(f);
    else out.set(key, [f]);
  }
  return out;
}

const LONG_TYPES_V1 = ['Initial', '0-RTT', 'Handshake', 'Retry'] as const;

/**
 * The QUIC packet types in one frame (datagram), in order: `Initial`, `0-RTT`, `Handshake`, `Retry` (QUIC v1
 * long header types, RFC 9000 §17.2), `VN` (version 0, RFC 9000 §17.2.1) or `1-RTT` (short header, §17.3).
 * Needs `quic.header_form`, `quic.long.packet_type` and `quic.version` among the decoded fields.
 */
export function packetTypes(f: DecodedFrame): string[] {
  const forms = f.fields['quic.header_form'] ?? [];
  const longTypes = f.fields['quic.long.packet_type'] ?? [];
  const versions = f.fields['quic.version'] ?? [];
  const out: string[] = [];
  let li = 0;
  let vi = 0;
  for (const form of forms) {
    if (form === '0' || form === 'False') {
      out.push('1-RTT');
      continue;
    }
    const version = versions[vi++];
    if (version !== undefined && Number(version) === 0) {
      out.push('VN');
      continue;
    }
    const t = Number(longTypes[li++]);
    out.push(LONG_TYPES_V1[t] ?? `long(${t})`);
  }
  return out;
}

/** What {@link assessCapture} found wrong in a decoded capture. */
export interface CaptureHealth {
  /** Frames decoded as QUIC. */
  frames: number;
  /** Frames tshark marked malformed (`_ws.malformed`). */
  malformed: number[];
  /** Frames with a QUIC packet that was not decrypted (no secrets, or decryption failed). */
  undecrypted: number[];
  /** Expert messages about missing secrets / failed decryption, with their frame. */
  decryptionMessages: { frame: number; message: string }[];
  /** True when every frame was decrypted and nothing was malformed. */
  ok: boolean;
}

const DECRYPTION_TROUBLE = /secrets are not available|decrypt/i;

/**
 * Checks a decoded capture (decoded with {@link DEFAULT_FIELDS}) for malformed packets and for packets tshark
 * could not decrypt: an expert message such as "Secrets are not available", `quic.decryption_failed`, or a
 * non-Retry/VN packet without a single QUIC frame (an undecrypted short-header packet shows no frames and no
 * message). Every protected QUIC packet carries at least one frame (RFC 9000 §12.4).
 */
export function assessCapture(frames: readonly DecodedFrame[]): CaptureHealth {
  const malformed: number[] = [];
  const undecrypted = new Set<number>();
  const decryptionMessages: { frame: number; message: string }[] = [];
  for (const f of frames) {
    if ((f.fields['_ws.malformed'] ?? []).length > 0) malformed.push(f.frame);
    for (const message of f.fields['_ws.expert.message'] ?? []) {
      if (/malformed/i.test(message) && !malformed.includes(f.frame)) malformed.push(f.frame);
      if (DECRYPTION_TROUBLE.test(message)) {
        decryptionMessages.push({ frame: f.frame, message });
        undecrypted.add(f.frame);
      }
    }
    if ((f.fields['quic.decryption_failed'] ?? []).length > 0) undecrypted.add(f.frame);
    const types = packetTypes(f);
    const protectedPackets = types.filter((t) => t !== 'Retry' && t !== 'VN').length;
    if (protectedPackets > 0 && (f.fields['quic.frame_type'] ?? []).length === 0) undecrypted.add(f.frame);
  }
  const undecryptedList = [...undecrypted].sort((a, b) => a - b);
  return {
    frames: frames.length,
    malformed,
    undecrypted: undecryptedList,
    decryptionMessages,
    ok: malformed.length === 0 && undecryptedList.length === 0,
  };
}
