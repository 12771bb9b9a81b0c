// Minimal typings for cli-progress 3 (the package ships none and @types/cli-progress is not installed): only what
// the download progress bar uses.
declare module 'cli-progress' {
  import type { Writable } from 'node:stream';

  export interface Options {
    readonly stream?: Writable;
    readonly format?: string;
    readonly barsize?: number;
    readonly hideCursor?: boolean;
    readonly clearOnComplete?: boolean;
    readonly stopOnComplete?: boolean;
    readonly fps?: number;
    readonly noTTYOutput?: boolean;
    readonly formatValue?: (value: number, options: Options, type: 'value' | 'total' | 'percentage' | string) => string;
  }

  export interface Preset {
    readonly barCompleteChar: string;
    readonly barIncompleteChar: string;
    readonly format: string;
  }

  export class SingleBar {
    constructor(options: Options, preset?: Preset);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }

  export const Presets: { readonly shades_classic: Preset; readonly legacy: Preset; readonly rect: Preset };

  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
