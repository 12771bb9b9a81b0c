import cliProgress, { type SingleBar } from 'cli-progress';
import type { CliOutput } from '../io.js';

/** Downloads smaller than this never show a bar. */
export const PROGRESS_THRESHOLD_BYTES = 1 << 20;

/** Bytes as `12.3 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * The download progress bar (cli-progress) on a terminal: shown once a download is known to be large (its
 * content-length, or what arrived so far, reaches {@link PROGRESS_THRESHOLD_BYTES}), updated at most 10 times a
 * second, and cleared at the end so only the output remains.
 */
export class DownloadProgress {
  private bar: SingleBar | undefined;
  private received = 0;
  private readonly startMs = performance.now();

  constructor(
    private readonly stream: CliOutput,
    private readonly total: number | undefined,
  ) {
    if (total !== undefined && total >= PROGRESS_THRESHOLD_BYTES) this.show();
  }

  /** Whether the bar is on screen. */
  get shown(): boolean {
    return this.bar !== undefined;
  }

  add(bytes: number): void {
    this.received += bytes;
    if (this.bar === undefined && this.received >= PROGRESS_THRESHOLD_BYTES) this.show();
    this.bar?.update(this.received, this.payload());
  }

  stop(): void {
    if (this.bar === undefined) return;
    this.bar.update(this.received, this.payload());
    this.bar.stop();
    this.bar = undefined;
  }

  private show(): void {
    const known = this.total !== undefined;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        // Without a content-length there is nothing to fill a bar against: bytes and speed only.
        format: known ? '{bar} {percentage}% | {done} / {size} | {speed}' : 'received {done} | {speed}',
        barsize: 30,
        hideCursor: false,
        clearOnComplete: true,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.total ?? 0, this.received, this.payload());
  }

  private payload(): Record<string, unknown> {
    const seconds = Math.max(0.001, (performance.now() - this.startMs) / 1000);
    return {
      done: formatBytes(this.received),
      size: this.total === undefined ? '?' : formatBytes(this.total),
      speed: `${formatBytes(Math.round(this.received / seconds))}/s`,
    };
  }
}
