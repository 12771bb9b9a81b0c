// @fos/cli — the `fos-h3` command: a curl-like HTTP/3 client (`fos-h3 URL`) and the static HTTP/3 server
// (`fos-h3 serve`). The bin is `dist/bin.js`; `main(argv, io)` runs it in-process.

export { ExitCode } from './fetch/exit-codes.js';
export { describeFailure, type Failure } from './fetch/failure.js';
export { type FetchCommand, type ParseResult, parseFetchArgs } from './fetch/fetch-options.js';
export { DownloadProgress, formatBytes, PROGRESS_THRESHOLD_BYTES } from './fetch/progress.js';
export { type FetchClientOverrides, runFetch } from './fetch/run-fetch.js';
export { type CliIo, type CliOutput, processIo } from './io.js';
export { type MainOptions, main } from './main.js';
