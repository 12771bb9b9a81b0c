// Hand-written SVG line charts (no dependency): stacked panels sharing one time axis.

/** One line of a panel. NaN values leave a gap. */
export interface PlotSeries {
  readonly label: string;
  readonly color: string;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  readonly dashed?: boolean;
}

/** A horizontal reference line (e.g. the BDP). */
export interface PlotReference {
  readonly label: string;
  readonly y: number;
  readonly color?: string;
}

export interface PlotPanel {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  readonly references?: readonly PlotReference[];
  /** Lower end of the y axis (default 0). */
  readonly yMin?: number;
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly panels: readonly PlotPanel[];
  /** Right end of the x axis (default: the largest x of any series). */
  readonly xMax?: number;
  readonly width?: number;
  readonly panelHeight?: number;
}

/** Colours for flows 0, 1, 2, … (colour-blind-friendly Okabe–Ito order). */
export const FLOW_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

const MARGIN_LEFT = 72;
const MARGIN_RIGHT = 16;
const PANEL_GAP = 46;
const TOP = 40;
const BOTTOM = 44;

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** "Nice" tick values (1, 2, 5 × 10^k steps) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min) return [Number.isFinite(min) ? min : 0];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/**
 * Reduces a series to at most two points per pixel column (the column's minimum and maximum, in x order), so that
 * long runs stay small without hiding spikes. NaN breaks the line: the output contains NaN markers where gaps are.
 */
export function decimate(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  xMin: number,
  xMax: number,
  columns: number,
): { xs: number[]; ys: number[] } {
  const outX: number[] = [];
  const outY: number[] = [];
  const n = Math.min(xs.length, ys.length);
  if (n <= columns * 2) {
    for (let i = 0; i < n; i++) {
      outX.push(xs[i]);
      outY.push(ys[i]);
    }
    return { xs: outX, ys: outY };
  }
  const span = xMax > xMin ? xMax - xMin : 1;
  let col = -1;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (minI < 0) return;
    const a = Math.min(minI, maxI);
    const b = Math.max(minI, maxI);
    outX.push(xs[a]);
    outY.push(ys[a]);
    if (b !== a) {
      outX.push(xs[b]);
      outY.push(ys[b]);
    }
    minI = -1;
    maxI = -1;
  };
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (Number.isNaN(y)) {
      flush();
      outX.push(xs[i]);
      outY.push(Number.NaN);
      continue;
    }
    const c = Math.floor(((xs[i] - xMin) / span) * columns);
    if (c !== col) {
      flush();
      col = c;
    }
    if (minI < 0 || y < ys[minI]) minI = i;
    if (maxI < 0 || y > ys[maxI]) maxI = i;
  }
  flush();
  return { xs: outX, ys: outY };
}

/** Renders the panels as one standalone SVG document. */
export function renderSvg(o: PlotOptions): string {
  const width = o.width ?? 960;
  const panelHeight = o.panelHeight ?? 200;
  const height = TOP + o.panels.length * panelHeight + (o.panels.length - 1) * PANEL_GAP + BOTTOM;
  const plotW = width - MARGIN_LEFT - MARGIN_RIGHT;
  let xMax = o.xMax ?? 0;
  if (o.xMax === undefined) {
    for (const p of o.panels)
      for (const s of p.series) for (let i = 0; i < s.xs.length; i++) xMax = Math.max(xMax, s.xs[i]);
  }
  if (!(xMax > 0)) xMax = 1;
  const xOf = (x: number) => MARGIN_LEFT + (x / xMax) * plotW;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
  );
  const xTicks = niceTicks(0, xMax, 10);
  o.panels.forEach((panel, pi) => {
    const top = TOP + pi * (panelHeight + PANEL_GAP);
    const bottom = top + panelHeight;
    let yMax = 0;
    for (const s of panel.series) for (let i = 0; i < s.ys.length; i++) if (s.ys[i] > yMax) yMax = s.ys[i];
    for (const r of panel.references ?? []) if (r.y > yMax) yMax = r.y;
    const yMin = panel.yMin ?? 0;
    if (!(yMax > yMin)) yMax = yMin + 1;
    yMax *= 1.05;
    const yTicks = niceTicks(yMin, yMax, 5);
    const yOf = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * panelHeight;
    parts.push(`<g>`);
    parts.push(
      `<text x="${MARGIN_LEFT}" y="${top - 8}" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (const t of yTicks) {
      const y = yOf(t).toFixed(1);
      parts.push(
        `<line x1="${MARGIN_LEFT}" x2="${MARGIN_LEFT + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
        `<text x="${MARGIN_LEFT - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`,
      );
    }
    for (const t of xTicks) {
      const x = xOf(t).toFixed(1);
      parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#f0f0f0"/>`);
      parts.push(`<text x="${x}" y="${bottom + 14}" text-anchor="middle">${formatTick(t)}</text>`);
    }
    parts.push(
      `<rect x="${MARGIN_LEFT}" y="${top}" width="${plotW}" height="${panelHeight}" fill="none" stroke="#888"/>`,
      `<text transform="translate(16 ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
    );
    for (const r of panel.references ?? []) {
      const y = yOf(r.y).toFixed(1);
      const color = r.color ?? '#666';
      parts.push(
        `<line x1="${MARGIN_LEFT}" x2="${MARGIN_LEFT + plotW}" y1="${y}" y2="${y}" stroke="${color}" stroke-dasharray="2 3"/>`,
        `<text x="${MARGIN_LEFT + plotW - 4}" y="${Number(y) - 4}" text-anchor="end" fill="${color}">${escapeXml(r.label)}</text>`,
      );
    }
    parts.push(
      `<clipPath id="clip${pi}"><rect x="${MARGIN_LEFT}" y="${top}" width="${plotW}" height="${panelHeight}"/></clipPath>`,
    );
    for (const s of panel.series) {
      const d = decimate(s.xs, s.ys, 0, xMax, plotW);
      const path = pathData(d.xs, d.ys, xOf, yOf);
      if (path.length === 0) continue;
      parts.push(
        `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.2"${s.dashed ? ' stroke-dasharray="4 3"' : ''} clip-path="url(#clip${pi})"/>`,
      );
    }
    // Legend, top right inside the panel.
    let lx = MARGIN_LEFT + 8;
    for (const s of panel.series) {
      parts.push(
        `<line x1="${lx}" x2="${lx + 16}" y1="${top + 12}" y2="${top + 12}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
        `<text x="${lx + 20}" y="${top + 12}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
      );
      lx += 28 + s.label.length * 6.5;
    }
    parts.push(`</g>`);
  });
  const lastBottom = TOP + o.panels.length * panelHeight + (o.panels.length - 1) * PANEL_GAP;
  parts.push(
    `<text x="${MARGIN_LEFT + plotW / 2}" y="${lastBottom + 34}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

function pathData(
  xs: readonly number[],
  ys: readonly number[],
  xOf: (x: number) => number,
  yOf: (y: number) => number,
): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y) || !Number.isFinite(xs[i])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${xOf(xs[i]).toFixed(1)} ${yOf(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}
