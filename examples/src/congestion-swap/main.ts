// Runs the swap example and prints one line per client:
//   node bench/src/lab/run-ts.mjs examples/src/congestion-swap/main.ts [megabytes]     (from source)
//   npm run build && node examples/dist/congestion-swap/main.js [megabytes]           (built)
import { pathToFileURL } from 'node:url';
import { CHOICES, DEFAULT_PATH, upload } from './swap.js';

export async function main(args: readonly string[]): Promise<number> {
  const megabytes = Number(args[0] ?? 4);
  if (!(megabytes > 0)) {
    process.stderr.write('usage: main.ts [megabytes]\n');
    return 2;
  }
  const p = DEFAULT_PATH;
  process.stdout.write(
    `Uploading ${megabytes} MB over ${p.rateMbps} Mbit/s × ${p.rttMs} ms, ${p.queueBytes / 1000} kB buffer, ` +
      `${p.lossRate * 100} % loss (virtual time):\n\n` +
      '| client registers | controller used | time (s) | goodput (Mbit/s) | packets lost | max cwnd (kB) |\n' +
      '| --- | --- | ---: | ---: | ---: | ---: |\n',
  );
  for (const choice of Object.keys(CHOICES)) {
    const r = await upload(choice, megabytes * 1_000_000);
    const line =
      choice === 'default'
        ? 'nothing'
        : `register${{ newreno: 'NewReno', cubic: 'Cubic' }[choice] ?? 'FixedWindow'}(c)`;
    process.stdout.write(
      `| ${line} | ${r.controller} | ${(r.elapsedMs / 1000).toFixed(2)} | ${r.goodputMbps.toFixed(2)} | ${r.packetsLost} | ${(r.maxWindowBytes / 1000).toFixed(0)} |\n`,
    );
  }
  return 0;
}

// Run directly (`node …/main.js`): call main. Loaded by another module (a test, run-ts.mjs): do nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
