// Runs one congestion-lab scenario with one controller: N bulk QUIC flows through one MemoryNetwork bottleneck on a
// VirtualClock, sampled into time series, reduced to utilisation, goodput, retransmissions, queueing delay, fairness.
import { performance } from 'node:perf_hooks';
import { type CongestionControllerFactory, type QuicPacketProtection, VirtualClock } from '@fos/core';
import { CryptoPacketProtection } from '@fos/crypto';
import type { TransportConfig } from '@fos/quic';
import { MemoryNetwork, type NetworkTraceEvent } from '@fos/udp';
import { LabFlow, type LabFlowOptions, RECEIVER_HOST, SENDER_HOST } from './lab-flow.js';
import { labTls } from './lab-tls.js';
import { cumulativeAt, jainIndex, quantile, SampleColumn, valuesBetween } from './metrics.js';
import { NullPacketProtection } from './null-packet-protection.js';
import { bdpBytes, LAB_DATAGRAM_BYTES, queueBytes, type Scenario, scenarioName } from './scenario.js';
import { type ControllerMilestones, TracedFactory } from './traced-controller.js';

/** Departed bytes are counted in bins of this width (ms). */
const BIN_MS = 10;
/** The fairness index is computed over windows of at least this length (ms)… */
const FAIRNESS_WINDOW_MIN_MS = 5_000;
/** … and at least this many base RTTs. */
const FAIRNESS_WINDOW_RTTS = 20;
/** "Fair" means a Jain index of at least this (issue 5). */
export const FAIR_JAIN = 0.9;

export interface RunOptions {
  /** Time-series sampling interval, ms. Default max(10, RTT / 4). */
  readonly sampleIntervalMs?: number;
  /**
   * `'null'` (default): the lab-only {@link NullPacketProtection}; `'aead'`: real AES-GCM packet protection
   * (slower; for checking that the null protection does not change the dynamics).
   */
  readonly protection?: 'null' | 'aead';
  /** Flow behaviour for transport experiments (default: bulk sender, receiver reads at once). */
  readonly flow?: Pick<LabFlowOptions, 'readIntervalMs' | 'appLimited'>;
}

/** Per-flow time series, one value per sample time. */
export interface FlowSeries {
  readonly cwndBytes: number[];
  readonly bytesInFlight: number[];
  readonly smoothedRttMs: number[];
  readonly latestRttMs: number[];
  /** Cumulative application bytes the receiver read. */
  readonly receivedBytes: number[];
}

export interface LabSeries {
  readonly timesMs: number[];
  readonly flows: FlowSeries[];
}

export interface FlowResult {
  readonly index: number;
  readonly startMs: number;
  /** Handshake completion on the sender (ms; NaN if it never completed). */
  readonly establishedMs: number;
  readonly bytesReceived: number;
  /** Goodput over the measurement window, Mbit/s. */
  readonly goodputMbps: number;
  readonly packetsSent: number;
  /** Packets the sender declared lost (each one's data was retransmitted). */
  readonly packetsLost: number;
  /** Packets the receiver sent (nearly all of them carry only ACK frames). */
  readonly receiverPacketsSent: number;
  readonly milestones: ControllerMilestones;
  /** Why a connection closed early, if it did (the run is then not meaningful). */
  readonly failure: string | undefined;
}

export interface LabResult {
  readonly scenario: Scenario;
  readonly scenarioName: string;
  readonly controller: string;
  readonly bdpBytes: number;
  readonly queueBytes: number;
  /** Start of the measurement window: every flow has started and left its initial slow start (ms). */
  readonly measureFromMs: number;
  readonly measureToMs: number;
  /** Bytes that left the bottleneck in the window / what the link could carry in it. */
  readonly utilisation: number;
  /** The same from the first flow's start to the end (slow start included). */
  readonly utilisationWholeRun: number;
  /** Sum of the flows' goodput over the window, Mbit/s. */
  readonly goodputMbps: number;
  /** Packets declared lost / packets sent, all flows, whole run. */
  readonly retransmissionRate: number;
  /** 95th percentile of the time datagrams waited in the bottleneck queue during the window, ms. */
  readonly queueDelayP95Ms: number;
  readonly queueDelayP50Ms: number;
  /** Jain's index of the flows' goodput over the window (1 for one flow). */
  readonly jainFairness: number;
  /**
   * Time from the last flow's start until the Jain index over the preceding fairness window first reached
   * {@link FAIR_JAIN} (ms; NaN if it never did; 0 for one flow).
   */
  readonly timeToFairnessMs: number;
  readonly fairnessWindowMs: number;
  /** Datagrams the bottleneck queue dropped (tail drop), and when the first was dropped (NaN: never). */
  readonly queueDrops: number;
  readonly firstQueueDropMs: number;
  /** Datagrams lost to the random loss process. */
  readonly randomLosses: number;
  readonly firstRandomLossMs: number;
  readonly flows: FlowResult[];
  readonly series: LabSeries;
  /** Wall-clock time the simulation took, ms (not a result; a cost). */
  readonly wallMs: number;
  readonly timersFired: number;
}

/** Transport settings of lab connections: windows large enough that flow control never limits a flow. */
export function labTransport(s: Scenario): TransportConfig {
  const window = Math.max(64 * 1024 * 1024, 4 * (bdpBytes(s) + queueBytes(s)));
  return {
    initialMaxData: window,
    initialMaxStreamData: window,
    maxConnectionWindowBytes: window,
    maxStreamWindowBytes: window,
    maxDatagramSizeBytes: LAB_DATAGRAM_BYTES,
  };
}

/** Runs `scenario` with every flow's sender using `factory`. Deterministic for a given scenario (seed). */
export async function runScenario(
  scenario: Scenario,
  factory: CongestionControllerFactory,
  options: RunOptions = {},
): Promise<LabResult> {
  const s = scenario;
  const oneWayMs = s.rttMs / 2;
  // The transport fires about two timers per datagram; a run that fires 200 times more than the link can carry is a
  // timer loop: the clock throws VirtualClockRunawayError instead of hanging.
  const linkDatagrams = (s.rateMbps * 1e6 * s.durationMs) / (8000 * LAB_DATAGRAM_BYTES);
  const clock = new VirtualClock({
    epochOffsetMs: Date.now(),
    maxEventsPerRun: Math.max(1_000_000, Math.ceil(200 * linkDatagrams)),
  });
  const bins = new Float64Array(Math.ceil(s.durationMs / BIN_MS) + 2);
  const queueTimes = new SampleColumn(1 << 16);
  const queueDelays = new SampleColumn(1 << 16);
  let queueDrops = 0;
  let randomLosses = 0;
  let firstQueueDropMs = Number.NaN;
  let firstRandomLossMs = Number.NaN;
  const senderPrefix = `${SENDER_HOST}:`;
  const onTrace = (e: NetworkTraceEvent): void => {
    if (!e.from.startsWith(senderPrefix)) return;
    if (e.fate === 'scheduled') {
      if (e.duplicate || e.deliverAt === undefined) return;
      const bin = Math.floor((e.deliverAt - oneWayMs) / BIN_MS);
      if (bin < bins.length) bins[bin] += e.size;
      queueTimes.push(e.time);
      queueDelays.push(e.queueDelayMs);
    } else if (e.fate === 'queue') {
      if (queueDrops++ === 0) firstQueueDropMs = e.time;
    } else if (e.fate === 'loss') {
      if (randomLosses++ === 0) firstRandomLossMs = e.time;
    }
  };
  const network = new MemoryNetwork({ clock, seed: s.seed, defaultLink: { delayMs: oneWayMs }, onTrace });
  const capacityBps = s.rateMbps * 1e6;
  network.setLink(SENDER_HOST, RECEIVER_HOST, {
    delayMs: oneWayMs,
    rateBps: capacityBps,
    queueBytes: queueBytes(s),
    lossRate: s.lossRate,
    mtu: LAB_DATAGRAM_BYTES,
  });

  const tls = await labTls();
  const protection: QuicPacketProtection =
    options.protection === 'aead' ? new CryptoPacketProtection(tls.provider) : new NullPacketProtection();
  const transport = labTransport(s);
  const traced: TracedFactory[] = [];
  const flows: LabFlow[] = [];
  for (let i = 0; i < s.flows; i++) {
    const tf = new TracedFactory(factory);
    traced.push(tf);
    flows.push(
      await LabFlow.create({
        index: i,
        clock,
        network,
        tls,
        protection,
        congestion: tf,
        transport,
        startMs: i * s.flowStaggerMs,
        ...options.flow,
      }),
    );
  }

  // Sampler: one timer for all flows.
  const sampleMs = options.sampleIntervalMs ?? Math.max(10, s.rttMs / 4);
  const times = new SampleColumn(Math.ceil(s.durationMs / sampleMs) + 2);
  const columns = flows.map(() => ({
    cwnd: new SampleColumn(),
    inflight: new SampleColumn(),
    srtt: new SampleColumn(),
    latest: new SampleColumn(),
    received: new SampleColumn(),
  }));
  const sampler = clock.createTimer(() => {
    const now = clock.now();
    times.push(now);
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      const c = f.senderConnection;
      const col = columns[i];
      if (c?.isHandshakeComplete) {
        col.cwnd.push(c.congestionWindowBytes);
        col.inflight.push(c.bytesInFlight);
        col.srtt.push(c.smoothedRttMs);
        col.latest.push(traced[i].created[0]?.latestRttMs ?? Number.NaN);
      } else {
        col.cwnd.push(Number.NaN);
        col.inflight.push(Number.NaN);
        col.srtt.push(Number.NaN);
        col.latest.push(Number.NaN);
      }
      col.received.push(f.bytesReceived);
    }
    if (now + sampleMs <= s.durationMs) sampler.set(now + sampleMs);
  });
  sampler.set(0);

  const wallStart = performance.now();
  const firedBefore = clock.firedTimers;
  clock.advanceTo(s.durationMs);
  const wallMs = performance.now() - wallStart;
  for (const f of flows) f.stop();
  sampler.clear();
  await network.close();

  // ---- reduce ------------------------------------------------------------------------------------------------
  const end = s.durationMs;
  const lastStart = (s.flows - 1) * s.flowStaggerMs;
  let measureFrom = lastStart;
  const flowResults: FlowResult[] = flows.map((f, i) => {
    const m = traced[i].created[0]?.milestones ?? emptyMilestones();
    const exit = Number.isNaN(m.slowStartExitMs) ? f.establishedAtMs : m.slowStartExitMs;
    if (exit > measureFrom) measureFrom = exit;
    const c = f.senderConnection;
    return {
      index: i,
      startMs: i * s.flowStaggerMs,
      establishedMs: f.establishedAtMs,
      bytesReceived: f.bytesReceived,
      goodputMbps: 0,
      packetsSent: c?.stats.packetsSent ?? 0,
      packetsLost: c?.stats.packetsLost ?? 0,
      receiverPacketsSent: f.receiverConnection?.stats.packetsSent ?? 0,
      milestones: { ...m },
      failure: f.failure,
    };
  });
  if (!(measureFrom < end)) measureFrom = lastStart; // no flow left slow start: measure what there is
  const t = times.view();
  const window = end - measureFrom;
  const goodputs = flowResults.map((fr, i) => {
    const rcv = columns[i].received.view();
    const bytes = cumulativeAt(t, rcv, end) - cumulativeAt(t, rcv, measureFrom);
    const mbps = window > 0 ? (bytes * 8) / (window * 1000) : 0;
    (fr as { goodputMbps: number }).goodputMbps = mbps;
    return mbps;
  });
  // Utilisation over whole bins inside [from, to): bytes whose serialization ended there / what the link could send.
  const capacityBytesPerMs = capacityBps / 8000;
  const utilisationBetween = (from: number, to: number): number => {
    const a = Math.max(0, Math.ceil(from / BIN_MS));
    const b = Math.min(bins.length, Math.floor(to / BIN_MS));
    if (b <= a) return 0;
    let sum = 0;
    for (let i = a; i < b; i++) sum += bins[i];
    return sum / (capacityBytesPerMs * (b - a) * BIN_MS);
  };
  const utilisation = utilisationBetween(measureFrom, end);
  const utilisationWholeRun = utilisationBetween(0, end);
  let sent = 0;
  let lost = 0;
  for (const fr of flowResults) {
    sent += fr.packetsSent;
    lost += fr.packetsLost;
  }
  const delays = valuesBetween(queueTimes, queueDelays, measureFrom, end);
  const fairnessWindowMs = Math.max(FAIRNESS_WINDOW_MIN_MS, FAIRNESS_WINDOW_RTTS * s.rttMs);
  const series: LabSeries = {
    timesMs: times.toArray(),
    flows: columns.map((col) => ({
      cwndBytes: col.cwnd.toArray(),
      bytesInFlight: col.inflight.toArray(),
      smoothedRttMs: col.srtt.toArray(),
      latestRttMs: col.latest.toArray(),
      receivedBytes: col.received.toArray(),
    })),
  };
  return {
    scenario: s,
    scenarioName: scenarioName(s),
    controller: factory.name,
    bdpBytes: bdpBytes(s),
    queueBytes: queueBytes(s),
    measureFromMs: measureFrom,
    measureToMs: end,
    utilisation,
    utilisationWholeRun,
    goodputMbps: goodputs.reduce((a, b) => a + b, 0),
    retransmissionRate: sent > 0 ? lost / sent : 0,
    queueDelayP95Ms: quantile(delays, 0.95),
    queueDelayP50Ms: quantile(delays, 0.5),
    jainFairness: jainIndex(goodputs),
    timeToFairnessMs: s.flows === 1 ? 0 : timeToFairness(series, lastStart, end, fairnessWindowMs),
    fairnessWindowMs,
    queueDrops,
    firstQueueDropMs,
    randomLosses,
    firstRandomLossMs,
    flows: flowResults,
    series,
    wallMs,
    timersFired: clock.firedTimers - firedBefore,
  };
}

/** Jain's index of the flows' goodput between `fromMs` and `toMs`, from the sampled series. */
export function jainBetween(series: LabSeries, fromMs: number, toMs: number): number {
  return jainIndex(goodputsBetween(series, fromMs, toMs));
}

/** Each flow's goodput (Mbit/s) between `fromMs` and `toMs`, from the sampled series. */
export function goodputsBetween(series: LabSeries, fromMs: number, toMs: number): number[] {
  const t = series.timesMs;
  const span = toMs - fromMs;
  return series.flows.map((f) => {
    if (!(span > 0)) return 0;
    const bytes = cumulativeAt(t, f.receivedBytes, toMs) - cumulativeAt(t, f.receivedBytes, fromMs);
    return (bytes * 8) / (span * 1000);
  });
}

/** Time from `lastStartMs` until the trailing-window Jain index first reaches FAIR_JAIN (NaN if never). */
function timeToFairness(series: LabSeries, lastStartMs: number, endMs: number, windowMs: number): number {
  const step = 250;
  for (let t = lastStartMs + windowMs; t <= endMs; t += step) {
    if (jainBetween(series, t - windowMs, t) >= FAIR_JAIN) return t - lastStartMs;
  }
  return Number.NaN;
}

function emptyMilestones(): ControllerMilestones {
  return {
    firstCongestionEventMs: Number.NaN,
    slowStartExitMs: Number.NaN,
    slowStartExitWindowBytes: Number.NaN,
    cssEnteredMs: Number.NaN,
    windowReductions: 0,
    persistentCongestions: 0,
    spuriousCongestions: 0,
  };
}
