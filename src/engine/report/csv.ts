// The CSV export of rubric scores, for a gradebook: one row per file (or dataset record), a header
// row, RFC 4180 (fields quoted when they hold a comma, a quote or a line break; quotes doubled; CRLF
// line ends). Numbers are written as numbers (a `.` decimal point, no thousands separators), so that a
// spreadsheet reads them as numbers; a cell that is not judged is empty, never 0.
//
// Columns: path, score, max, expected score, one column per rubric item (`title (points)`, the points
// awarded: all when met, 0 when not), then a note (why a row has no score). The item columns are the
// union of every file's rubric (in order of first appearance), so the rows are held until the header
// is known: a row is a path and a few numbers.
import type { RubricResult } from '../types';
import { awardedPoints } from '../rubric/format';
import type { StreamRenderer } from './stream';
import type { FileReport } from './schema';

/** A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is written with a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, quoted as RFC 4180 asks: numbers as they are, text quoted when it must be. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

interface Row {
  path: string;
  rubric: RubricResult | undefined;
  note: string;
}

/** How every CSV export starts (`--out` recognises its own earlier export by it). */
export const CSV_HEADER_START = 'path,score,max,expected score';

const columnKey = (title: string, points: number) => `${title}\u0000${points}`;

function rowNote(file: FileReport): string {
  if (file.status !== 'judged') return `${file.status}${file.reason ? `: ${file.reason}` : ''}`;
  if (!file.rubric) return 'no rubric';
  return file.rubric.note ?? '';
}

export function csvRenderer(): StreamRenderer {
  const rows: Row[] = [];
  const columns = new Map<string, { title: string; points: number }>();
  return {
    add(file) {
      for (const item of file.rubric?.items ?? []) {
        const key = columnKey(item.title, item.points);
        if (!columns.has(key)) columns.set(key, { title: item.title, points: item.points });
      }
      rows.push({ path: file.uri, rubric: file.rubric, note: rowNote(file) });
    },
    finish() {
      const items = [...columns.entries()];
      const header = csvRow(['path', 'score', 'max', 'expected score', ...items.map(([, c]) => `${c.title} (${c.points})`), 'note']);
      const body = rows.map(({ path, rubric, note }) => {
        const awarded = new Map((rubric?.items ?? []).map((i) => [columnKey(i.title, i.points), awardedPoints(i)]));
        return csvRow([path, rubric?.score, rubric?.maxPoints, rubric?.expectedScore, ...items.map(([key]) => awarded.get(key)), note]);
      });
      return [header, body.join('')];
    },
  };
}
