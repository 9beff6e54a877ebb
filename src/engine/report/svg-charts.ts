// Small inline SVG charts for the HTML report: no library, no network, readable in any browser and
// in a VS Code webview. Every number drawn is also written as text (title tooltips, axis labels), so
// the chart is never the only place a figure is.
import type { CalibrationBin } from './html-metrics';
import { escapeHtml } from './html-escape';

const W = 360;
const H = 240;
const M = { left: 44, right: 12, top: 14, bottom: 40 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function x(v: number): number {
  return M.left + v * PW;
}

function y(v: number): number {
  return M.top + (1 - v) * PH;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function axes(xLabel: string, yLabel: string, yTicks: { value: number; label: string }[]): string {
  const parts: string[] = [];
  parts.push(`<line class="axis" x1="${M.left}" y1="${y(0)}" x2="${M.left + PW}" y2="${y(0)}"/>`);
  parts.push(`<line class="axis" x1="${M.left}" y1="${y(0)}" x2="${M.left}" y2="${M.top}"/>`);
  for (let i = 0; i <= 10; i += 2) {
    const v = i / 10;
    parts.push(`<line class="tick" x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(0) + 4}"/>`);
    parts.push(`<text class="tick-label" x="${x(v)}" y="${y(0) + 16}" text-anchor="middle">${v.toFixed(1)}</text>`);
  }
  for (const tick of yTicks) {
    parts.push(`<line class="grid" x1="${M.left}" y1="${y(tick.value)}" x2="${M.left + PW}" y2="${y(tick.value)}"/>`);
    parts.push(`<text class="tick-label" x="${M.left - 6}" y="${y(tick.value) + 4}" text-anchor="end">${escapeHtml(tick.label)}</text>`);
  }
  parts.push(`<text class="axis-label" x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(12 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  return parts.join('');
}

/** Bars of step counts per P(True) bin, coloured from red (0) to green (1). */
export function histogramSvg(counts: readonly number[], title: string): string {
  const max = Math.max(1, ...counts);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push({ value: v / top, label: String(v) });
  const n = counts.length;
  const bars = counts
    .map((c, i) => {
      const h = (c / top) * PH;
      const lower = i / n;
      const upper = (i + 1) / n;
      return `<rect class="bar" data-bin="${i}" data-count="${c}" x="${x(lower) + 1}" y="${y(0) - h}" width="${Math.max(0, PW / n - 2)}" height="${h}" fill="${probabilityColour((lower + upper) / 2)}"><title>P(True) ${fmt(lower)}–${fmt(upper)}: ${c} step${c === 1 ? '' : 's'}</title></rect>`;
    })
    .join('');
  return `<svg class="chart histogram" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${axes('P(True) of the step', 'steps', ticks)}${bars}</svg>`;
}

/**
 * The reliability diagram: for each P(True) bin, the share of its steps that are really correct
 * (bar) against the diagonal a calibrated critic would follow; the gap is what ECE averages.
 */
export function reliabilitySvg(bins: readonly CalibrationBin[], title: string, ece: number | null): string {
  const n = bins.length;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: v.toFixed(2) }));
  const parts: string[] = [];
  parts.push(`<line class="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}"><title>perfect calibration</title></line>`);
  bins.forEach((bin, i) => {
    if (bin.count === 0 || bin.accuracy === null || bin.meanP === null) return;
    const bx = x(i / n) + 1;
    const bw = Math.max(0, PW / n - 2);
    const h = bin.accuracy * PH;
    parts.push(
      `<rect class="reliability-bar" data-bin="${i}" data-count="${bin.count}" data-accuracy="${bin.accuracy.toFixed(4)}" x="${bx}" y="${y(0) - h}" width="${bw}" height="${h}"><title>P(True) ${fmt(bin.lower)}–${fmt(bin.upper)}: ${bin.count} step${bin.count === 1 ? '' : 's'}, mean P(True) ${bin.meanP.toFixed(2)}, really correct ${(bin.accuracy * 100).toFixed(0)}%</title></rect>`,
    );
    parts.push(`<circle class="mean-p" cx="${x(bin.meanP)}" cy="${y(bin.accuracy)}" r="3"/>`);
  });
  const label = ece === null ? '' : `<text class="chart-note" x="${M.left + 8}" y="${M.top + 14}">ECE ${ece.toFixed(3)}</text>`;
  return `<svg class="chart reliability" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${axes('P(True) of the step', 'share really correct', ticks)}${parts.join('')}${label}</svg>`;
}

/** Red (0) through amber (0.5) to green (1), for P(True). */
export function probabilityColour(p: number): string {
  const clamped = Math.max(0, Math.min(1, p));
  const hue = Math.round(clamped * 120);
  return `hsl(${hue} 65% 45%)`;
}

function niceStep(max: number): number {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10;
  return Math.max(1, nice * power);
}
