// Turns lab results into the markdown table, the JSON summary and the SVG plots the CLI writes.
import type { LabResult } from './lab-run.js';
import { LAB_DATAGRAM_BYTES } from './scenario.js';
import { FLOW_COLORS, type PlotPanel, renderSvg } from './svg-plot.js';

/** The JSON form of one run: the metrics and milestones, without the time series. */
export interface LabSummary {
  readonly scenario: string;
  readonly controller: string;
  readonly rateMbps: number;
  readonly rttMs: number;
  readonly bufferBdp: number;
  readonly lossRate: number;
  readonly flows: number;
  readonly durationMs: number;
  readonly seed: number;
  readonly measureFromMs: number;
  readonly utilisation: number;
  readonly utilisationWholeRun: number;
  readonly goodputMbps: number;
  readonly flowGoodputMbps: number[];
  readonly retransmissionRate: number;
  readonly queueDelayP50Ms: number | null;
  readonly queueDelayP95Ms: number | null;
  readonly jainFairness: number;
  readonly timeToFairnessMs: number | null;
  readonly queueDrops: number;
  readonly firstQueueDropMs: number | null;
  readonly randomLosses: number;
  readonly slowStartExitMs: (number | null)[];
  readonly cssEnteredMs: (number | null)[];
  readonly firstCongestionEventMs: (number | null)[];
  readonly windowReductions: number[];
  readonly persistentCongestions: number[];
  readonly failures: string[];
  readonly wallMs: number;
}

/** NaN (never happened / not defined) becomes null in JSON. */
function n(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}

export function summarize(r: LabResult): LabSummary {
  const s = r.scenario;
  return {
    scenario: r.scenarioName,
    controller: r.controller,
    rateMbps: s.rateMbps,
    rttMs: s.rttMs,
    bufferBdp: s.bufferBdp,
    lossRate: s.lossRate,
    flows: s.flows,
    durationMs: s.durationMs,
    seed: s.seed,
    measureFromMs: n(r.measureFromMs) ?? 0,
    utilisation: n(r.utilisation) ?? 0,
    utilisationWholeRun: n(r.utilisationWholeRun) ?? 0,
    goodputMbps: n(r.goodputMbps) ?? 0,
    flowGoodputMbps: r.flows.map((f) => n(f.goodputMbps) ?? 0),
    retransmissionRate: n(r.retransmissionRate) ?? 0,
    queueDelayP50Ms: n(r.queueDelayP50Ms),
    queueDelayP95Ms: n(r.queueDelayP95Ms),
    jainFairness: n(r.jainFairness) ?? 0,
    timeToFairnessMs: n(r.timeToFairnessMs),
    queueDrops: r.queueDrops,
    firstQueueDropMs: n(r.firstQueueDropMs),
    randomLosses: r.randomLosses,
    slowStartExitMs: r.flows.map((f) => n(f.milestones.slowStartExitMs)),
    cssEnteredMs: r.flows.map((f) => n(f.milestones.cssEnteredMs)),
    firstCongestionEventMs: r.flows.map((f) => n(f.milestones.firstCongestionEventMs)),
    windowReductions: r.flows.map((f) => f.milestones.windowReductions),
    persistentCongestions: r.flows.map((f) => f.milestones.persistentCongestions),
    failures: r.flows.flatMap((f) => (f.failure === undefined ? [] : [`flow ${f.index}: ${f.failure}`])),
    wallMs: Math.round(r.wallMs),
  };
}

function fixed(x: number | null, digits: number, suffix = ''): string {
  return x === null ? '—' : `${x.toFixed(digits)}${suffix}`;
}

/** The markdown table of a set of runs (one row per scenario × controller), with a legend. */
export function markdownTable(summaries: readonly LabSummary[]): string {
  const head =
    '| scenario | controller | utilisation | goodput (Mbit/s) | per-flow goodput | retransmitted | queue delay p95 (ms) | Jain | fair after (s) | slow start exit (ms) | first queue drop (ms) |\n' +
    '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  const rows = summaries.map((s) => {
    const perFlow = s.flows === 1 ? '' : s.flowGoodputMbps.map((g) => g.toFixed(1)).join(' / ');
    const fair = s.flows === 1 ? '' : fixed(s.timeToFairnessMs === null ? null : s.timeToFairnessMs / 1000, 1);
    const exits = s.slowStartExitMs.map((x) => fixed(x, 0)).join(' / ');
    const failed = s.failures.length > 0 ? ' ⚠' : '';
    return `| ${s.scenario}${failed} | ${s.controller} | ${fixed(s.utilisation * 100, 1, ' %')} | ${fixed(s.goodputMbps, 2)} | ${perFlow} | ${fixed(s.retransmissionRate * 100, 2, ' %')} | ${fixed(s.queueDelayP95Ms, 1)} | ${s.flows === 1 ? '' : fixed(s.jainFairness, 3)} | ${fair} | ${exits} | ${fixed(s.firstQueueDropMs, 0)} |`;
  });
  return `${head}${rows.join('\n')}\n`;
}

/** The legend printed under every table. */
export const TABLE_LEGEND = `Measurement window: from the moment every flow has started and left its initial slow start (first loss or
HyStart++ exit) to the end of the run. Utilisation: bytes that left the bottleneck in the window / what it could
carry (UDP payload, ${LAB_DATAGRAM_BYTES}-byte datagrams). Goodput: stream bytes the receivers read in the window.
Retransmitted: packets the senders declared lost / packets sent, whole run. Queue delay: time datagrams waited in
the bottleneck queue (95th percentile, window). Jain: fairness index of the flows' goodput over the window. Fair
after: time from the last flow's start until Jain's index over a trailing window of max(5 s, 20 RTT) first reached
0.9. Slow start exit: per flow. ⚠: a connection closed early.`;

/** The SVG of one run: cwnd, bytes in flight and RTT of every flow over time. */
export function labPlot(r: LabResult): string {
  const xs = r.series.timesMs.map((t) => t / 1000);
  const kb = (v: number[]) => v.map((x) => x / 1000);
  const flows = r.series.flows;
  const label = (i: number) => (flows.length === 1 ? r.controller : `flow ${i}`);
  const bdpKb = r.bdpBytes / 1000;
  const cwnd: PlotPanel = {
    title: 'congestion window',
    yLabel: 'kB',
    series: flows.map((f, i) => ({
      label: label(i),
      color: FLOW_COLORS[i % FLOW_COLORS.length],
      xs,
      ys: kb(f.cwndBytes),
    })),
    references: [
      { label: 'BDP', y: bdpKb },
      { label: 'BDP + buffer', y: bdpKb + r.queueBytes / 1000, color: '#b00' },
    ],
  };
  const inflight: PlotPanel = {
    title: 'bytes in flight',
    yLabel: 'kB',
    series: flows.map((f, i) => ({
      label: label(i),
      color: FLOW_COLORS[i % FLOW_COLORS.length],
      xs,
      ys: kb(f.bytesInFlight),
    })),
    references: [{ label: 'BDP', y: bdpKb }],
  };
  const rtt: PlotPanel = {
    title: 'RTT (solid: latest sample, dashed: smoothed)',
    yLabel: 'ms',
    series: flows.flatMap((f, i) => [
      { label: label(i), color: FLOW_COLORS[i % FLOW_COLORS.length], xs, ys: f.latestRttMs },
      { label: `${label(i)} srtt`, color: FLOW_COLORS[i % FLOW_COLORS.length], xs, ys: f.smoothedRttMs, dashed: true },
    ]),
    references: [{ label: 'base RTT', y: r.scenario.rttMs }],
  };
  return renderSvg({
    title: `${r.scenarioName} — ${r.controller}`,
    xLabel: 'time (s)',
    panels: [cwnd, inflight, rtt],
    xMax: r.scenario.durationMs / 1000,
  });
}
