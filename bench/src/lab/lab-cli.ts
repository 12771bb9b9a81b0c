// The congestion lab's command line: `npm run lab -w @fos/bench -- [options]` (see LAB_USAGE).
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_USAGE, parseLabArgs } from './cli-args.js';
import { labContainer, selectFactories } from './controllers.js';
import { type LabResult, runScenario } from './lab-run.js';
import { type LabSummary, labPlot, markdownTable, summarize, TABLE_LEGEND } from './report.js';
import { scenarioName } from './scenario.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the lab; returns the process exit code (0 ok, 1 a connection failed, 2 bad arguments). */
export async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseLabArgs>;
  try {
    args = parseLabArgs(argv);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${LAB_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${LAB_USAGE}\n`);
    return 0;
  }
  if (args.list) {
    for (const s of args.scenarios) process.stdout.write(`${scenarioName(s)}  (${s.durationMs / 1000} s)\n`);
    return 0;
  }
  let factories: ReturnType<typeof selectFactories>;
  try {
    factories = selectFactories(labContainer(), args.controllers);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  // Relative paths are relative to where npm was started (npm runs scripts in the workspace folder).
  const base = process.env.INIT_CWD ?? process.cwd();
  const out =
    args.out === undefined ? join(REPO_ROOT, 'tmp', 'lab') : isAbsolute(args.out) ? args.out : resolve(base, args.out);
  await mkdir(join(out, 'svg'), { recursive: true });

  const summaries: LabSummary[] = [];
  const seriesByRun: Record<string, LabResult['series']> = {};
  const total = args.scenarios.length * factories.length;
  let done = 0;
  let failed = false;
  const started = Date.now();
  for (const scenario of args.scenarios) {
    for (const factory of factories) {
      const result = await runScenario(scenario, factory, { protection: args.aead ? 'aead' : 'null' });
      const summary = summarize(result);
      summaries.push(summary);
      if (summary.failures.length > 0) failed = true;
      const key = `${summary.scenario}--${summary.controller}`;
      if (args.series) seriesByRun[key] = result.series;
      if (args.svg) await writeFile(join(out, 'svg', `${key}.svg`), labPlot(result));
      done++;
      process.stderr.write(
        `[${done}/${total}] ${key}: utilisation ${(summary.utilisation * 100).toFixed(1)} %, goodput ${summary.goodputMbps.toFixed(2)} Mbit/s, ` +
          `retransmitted ${(summary.retransmissionRate * 100).toFixed(2)} %, p95 queue ${summary.queueDelayP95Ms?.toFixed(1) ?? '—'} ms` +
          `${scenario.flows > 1 ? `, Jain ${summary.jainFairness.toFixed(3)}` : ''} (${(result.wallMs / 1000).toFixed(1)} s)` +
          `${summary.failures.length > 0 ? `  FAILED: ${summary.failures.join('; ')}` : ''}\n`,
      );
    }
  }
  const command = `npm run lab -w @fos/bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`;
  const md = `# Congestion lab results\n\n\`${command}\` — ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s of wall time.\n\n${markdownTable(summaries)}\n${TABLE_LEGEND}\n`;
  await writeFile(join(out, 'results.md'), md);
  await writeFile(
    join(out, 'results.json'),
    `${JSON.stringify({ command, results: summaries, ...(args.series ? { series: seriesByRun } : {}) }, null, 1)}\n`,
  );
  process.stdout.write(`${md}\nwrote ${join(out, 'results.md')}, results.json${args.svg ? ' and svg/' : ''}\n`);
  return failed ? 1 : 0;
}
