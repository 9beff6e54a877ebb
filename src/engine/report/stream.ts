// Reports written from a stream of entries, with memory flat in the number of entries: each format
// renders an entry the moment it arrives into named sections (the JSON array of files, the HTML table
// rows, one JUnit testsuite's testcases, …), kept in a spool — a temporary file for a run, memory for
// a report rendered to a string — and, once every entry is in, writes the document: literal parts
// (headers that need the totals) around the sections, copied from the spool.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { reportHead, SummaryCounter } from './build';
import type { ReportHead, ReportMeta } from './build';
import type { FileReport, Report, ReportSummary } from './schema';

/** What an entry brings besides its report: the run log's triage decision. */
export interface EntryExtras {
  triage?: { settled: boolean; reason: string };
}

/** Named parts of a report body, filled entry by entry, in input order. */
export interface Sections {
  write(section: string, text: string): void;
}

/** The document, once every entry is in: literal text around the sections the entries filled. */
export type ReportPart = string | { section: string };

/** A report format, written from entries one at a time. */
export interface StreamRenderer {
  add(file: FileReport, sections: Sections, extras?: EntryExtras): void;
  finish(head: ReportHead): ReportPart[];
}

/** Where a report goes: a file being written, stdout, a string. */
export interface TextSink {
  write(text: string): void | Promise<void>;
}

interface Spool extends Sections {
  /** The text of `section`, in pieces of bounded size. */
  read(section: string): Iterable<string>;
  dispose(): void;
}

function memorySpool(): Spool {
  const parts = new Map<string, string[]>();
  return {
    write(section, text) {
      const list = parts.get(section);
      if (list) list.push(text);
      else parts.set(section, [text]);
    },
    read: (section) => parts.get(section) ?? [],
    dispose: () => parts.clear(),
  };
}

/** A temporary file; each section keeps the byte ranges it wrote (adjacent ones merged). */
function fileSpool(): Spool {
  const path = join(tmpdir(), `stepcritic-report-${process.pid}-${randomBytes(6).toString('hex')}.spool`);
  const fd = openSync(path, 'w+');
  let size = 0;
  const ranges = new Map<string, [number, number][]>();
  let disposed = false;
  return {
    write(section, text) {
      if (text === '') return;
      const bytes = Buffer.from(text, 'utf8');
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset, size + offset);
      const list = ranges.get(section) ?? [];
      const last = list[list.length - 1];
      if (last && last[0] + last[1] === size) last[1] += bytes.length;
      else list.push([size, bytes.length]);
      ranges.set(section, list);
      size += bytes.length;
    },
    *read(section) {
      const chunk = Buffer.alloc(1 << 20);
      // Node's TextDecoder makes a large piece an external string, which the heap does not count: written
      // pieces would pile up unseen by the garbage collector. StringDecoder's strings are on the heap.
      const decoder = new StringDecoder('utf8');
      for (const [start, length] of ranges.get(section) ?? []) {
        for (let done = 0; done < length;) {
          const n = readSync(fd, chunk, 0, Math.min(chunk.length, length - done), start + done);
          if (n === 0) break;
          done += n;
          yield decoder.write(chunk.subarray(0, n));
        }
      }
      const rest = decoder.end();
      if (rest) yield rest;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      closeSync(fd);
      unlinkSync(path);
    },
  };
}

/** Takes entries one at a time, keeps the totals, and writes the whole report at the end. */
export class ReportWriter {
  private readonly counter = new SummaryCounter();
  private readonly spool: Spool;

  constructor(
    private readonly renderer: StreamRenderer,
    options: { spool?: 'file' | 'memory' } = {},
  ) {
    this.spool = options.spool === 'memory' ? memorySpool() : fileSpool();
  }

  add(file: FileReport, extras?: EntryExtras): void {
    this.counter.add(file);
    this.renderer.add(file, this.spool, extras);
  }

  get summary(): ReportSummary {
    return this.counter.summary();
  }

  /** Writes the report to `sink` and frees the spool. */
  async finish(meta: ReportMeta, sink: TextSink): Promise<void> {
    try {
      for (const part of this.renderer.finish(reportHead(meta, this.counter.summary(meta.durationMs)))) {
        if (typeof part === 'string') await sink.write(part);
        else for (const piece of this.spool.read(part.section)) await sink.write(piece);
      }
    } finally {
      this.spool.dispose();
    }
  }

  /** Frees the spool without writing (a run that was interrupted writes no report). */
  discard(): void {
    this.spool.dispose();
  }
}

/** A whole report rendered to a string: the same renderer, fed from memory. */
export function renderToString(renderer: StreamRenderer, report: Report, extras?: (file: FileReport) => EntryExtras | undefined): string {
  const spool = memorySpool();
  for (const file of report.files) renderer.add(file, spool, extras?.(file));
  const { files: _files, ...head } = report;
  let out = '';
  for (const part of renderer.finish(head)) out += typeof part === 'string' ? part : [...spool.read(part.section)].join('');
  return out;
}

/**
 * JSON with arrays filled from sections: `skeleton` is stringified (2-space indent) with each array
 * named in `arrays` left empty, and the section's entries go in its place. Entries are written with
 * `jsonArrayEntry` at the array's depth.
 */
export function jsonAround(skeleton: unknown, arrays: Record<string, string>): ReportPart[] {
  const marks = new Map(Object.entries(arrays).map(([section, marker]) => [`"${marker}"`, section]));
  const parts: ReportPart[] = [];
  let text = '';
  for (const line of JSON.stringify(skeleton, null, 2).split('\n')) {
    const section = marks.get(line.trim());
    if (section === undefined) {
      text += `${line}\n`;
      continue;
    }
    parts.push(text, { section });
    text = '\n';
  }
  parts.push(text);
  return parts;
}

/** One element of a JSON array at `depth` (2-space indent), with the comma before all but the first. */
export function jsonArrayEntry(value: unknown, depth: number, first: boolean): string {
  const pad = ' '.repeat(depth * 2);
  const body = JSON.stringify(value, null, 2)
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
  return first ? body : `,\n${body}`;
}
