/** Minimal typings for cli-progress 3 (the package ships none; @types/cli-progress is not installed). */
declare module 'cli-progress' {
  export interface Options {
    format?: string;
    stream?: NodeJS.WritableStream;
    fps?: number;
    clearOnComplete?: boolean;
    hideCursor?: boolean;
    noTTYOutput?: boolean;
    etaBuffer?: number;
    autopadding?: boolean;
  }
  export interface SingleBar {
    update(current: number, payload?: Record<string, unknown>): void;
    increment(step?: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  export class MultiBar {
    constructor(options: Options, preset?: unknown);
    create(total: number, start: number, payload?: Record<string, unknown>): SingleBar;
    stop(): void;
  }
  export const Presets: {
    shades_classic: unknown;
    shades_grey: unknown;
    rect: unknown;
    legacy: unknown;
  };
}
