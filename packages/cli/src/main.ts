import { ExitCode } from './fetch/exit-codes.js';
import { parseFetchArgs } from './fetch/fetch-options.js';
import { type FetchClientOverrides, runFetch } from './fetch/run-fetch.js';
import { type CliIo, processIo } from './io.js';

/** The `serve` subcommand's module (the server side of the CLI, `src/serve/`). */
interface ServeModule {
  runServe(argv: string[]): Promise<number>;
}

/** Loads `./serve/index.js` (resolved at run time: the server part of the CLI may be missing from a build). */
async function loadServe(): Promise<ServeModule | undefined> {
  const specifier = './serve/index.js';
  try {
    const mod = (await import(specifier)) as Partial<ServeModule>;
    return typeof mod.runServe === 'function' ? (mod as ServeModule) : undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url/.test(String(e))) return undefined;
    throw e;
  }
}

export interface MainOptions {
  /** Client options for `fos-h3 URL` beyond the command line (tests). */
  readonly client?: FetchClientOverrides;
}

/**
 * `fos-h3`: `fos-h3 serve …` runs the HTTP/3 server (`runServe` of `src/serve/`), anything else is a fetch
 * (`fos-h3 URL [options]`). Returns the exit code (see `ExitCode`).
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  options: MainOptions = {},
): Promise<number> {
  if (argv[0] === 'serve') {
    const serve = await loadServe();
    if (serve === undefined) {
      io.stderr.write('fos-h3: the serve command is not available in this build\n');
      return ExitCode.FAILURE;
    }
    return serve.runServe(argv.slice(1));
  }
  const parsed = parseFetchArgs(argv, io);
  if (parsed.kind === 'exit') return parsed.exitCode;
  return runFetch(parsed.command, io, options.client);
}
