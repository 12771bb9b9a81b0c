import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One socket from `/proc/net/{udp,udp6,tcp,tcp6}`. */
export interface ProcNetSocket {
  protocol: 'udp' | 'tcp';
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel socket state: 0x0A = TCP LISTEN, 0x07 = UDP unconnected ("close"), 0x01 = established. */
  state: number;
  inode: number;
}

/** TCP_LISTEN in the kernel's `tcp_states.h`. */
export const TCP_LISTEN = 0x0a;

/** A socket a server is expected to hold: a UDP socket, or a listening TCP socket, on `port`. */
export interface BoundSpec {
  protocol: 'udp' | 'tcp';
  port: number;
  /** Local address (e.g. `127.0.0.1`, `::1`); any address when omitted. */
  address?: string;
}

// /proc/net prints each 32-bit word of an address in host byte order (little-endian here).
function wordToBytes(hex: string, out: number[]): void {
  for (let i = hex.length - 2; i >= 0; i -= 2) out.push(Number.parseInt(hex.slice(i, i + 2), 16));
}

/** Decodes a `/proc/net` address (`0100007F`, or 32 hex digits for IPv6) to text (`127.0.0.1`, `::1`). */
export function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) wordToBytes(hex.slice(i, i + 8), bytes);
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) throw new RangeError(`bad /proc/net address ${hex}`);
  // IPv4-mapped ::ffff:a.b.c.d
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Compress the longest run of zero groups (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** Parses the text of one `/proc/net/{udp,tcp}[6]` file (header line included). Malformed lines are skipped. */
export function parseProcNet(text: string, protocol: 'udp' | 'tcp', family: 4 | 6): ProcNetSocket[] {
  const out: ProcNetSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[1]);
    const remote = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[2]);
    if (!local || !remote) continue;
    const inode = Number(f[9]);
    if (!Number.isInteger(inode)) continue;
    try {
      out.push({
        protocol,
        family,
        localAddress: decodeProcAddress(local[1]),
        localPort: Number.parseInt(local[2], 16),
        remoteAddress: decodeProcAddress(remote[1]),
        remotePort: Number.parseInt(remote[2], 16),
        state: Number.parseInt(f[3], 16),
        inode,
      });
    } catch {
      // not an address we understand: skip the line
    }
  }
  return out;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every UDP or TCP socket of this network namespace (IPv4 and IPv6). */
export function readProcNet(protocol: 'udp' | 'tcp'): ProcNetSocket[] {
  return [
    ...parseProcNet(readOrEmpty(`/proc/net/${protocol}`), protocol, 4),
    ...parseProcNet(readOrEmpty(`/proc/net/${protocol}6`), protocol, 6),
  ];
}

/** The inodes of the sockets a process holds open (`/proc/<pid>/fd/* -> socket:[inode]`); empty if it is gone. */
export function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return out;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function matches(s: ProcNetSocket, spec: BoundSpec): boolean {
  if (s.protocol !== spec.protocol || s.localPort !== spec.port) return false;
  if (spec.protocol === 'tcp' && s.state !== TCP_LISTEN) return false;
  return spec.address === undefined || s.localAddress === spec.address || isWildcard(s.localAddress);
}

/** Which of `specs` the process `pid` holds right now (same order; `undefined` where it does not). */
export function findBound(pid: number, specs: readonly BoundSpec[]): (ProcNetSocket | undefined)[] {
  const inodes = socketInodes(pid);
  if (inodes.size === 0) return specs.map(() => undefined);
  const udp = specs.some((s) => s.protocol === 'udp') ? readProcNet('udp') : [];
  const tcp = specs.some((s) => s.protocol === 'tcp') ? readProcNet('tcp') : [];
  return specs.map((spec) =>
    (spec.protocol === 'udp' ? udp : tcp).find((s) => inodes.has(s.inode) && matches(s, spec)),
  );
}

/**
 * Sockets of *other* processes bound to the same protocol/port/address as `spec` (UDP sockets with
 * SO_REUSEADDR can share a port silently, as two gtlsserver instances do; datagrams then go to one of them).
 */
export function portSharers(pid: number, spec: BoundSpec): ProcNetSocket[] {
  const inodes = socketInodes(pid);
  return readProcNet(spec.protocol).filter(
    (s) =>
      !inodes.has(s.inode) &&
      s.localPort === spec.port &&
      (spec.protocol === 'udp' || s.state === TCP_LISTEN) &&
      (spec.address === undefined ||
        s.localAddress === spec.address ||
        isWildcard(s.localAddress) ||
        isWildcard(spec.address)),
  );
}

let clockTicks: number | undefined;

/** `sysconf(_SC_CLK_TCK)` (the unit of utime/stime in `/proc/<pid>/stat`), normally 100. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Parses utime+stime (fields 14 and 15) of a `/proc/<pid>/stat` line, in clock ticks. */
export function parseStatCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces or ')': split after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new RangeError('bad /proc/<pid>/stat line');
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new RangeError('bad /proc/<pid>/stat line');
  return utime + stime;
}

/**
 * CPU time (user + system, all threads) a running process has used so far, in ms, at clock-tick resolution
 * (10 ms); `undefined` once the process is gone.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    return (parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}
