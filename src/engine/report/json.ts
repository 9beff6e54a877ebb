// The JSON report: the schema in schema.ts, checked on the way out so that what we write is what we
// document (a field that slipped past the schema fails here, in tests, not in a reader's parser).
// Written entry by entry: the head (with the totals) around the array of files.
import type { ReportHead } from './build';
import type { Report } from './schema';
import { FileReportSchema, ReportSchema } from './schema';
import type { StreamRenderer } from './stream';
import { jsonAround, jsonArrayEntry, renderToString } from './stream';

const FILES = '@@stepcritic:files@@';

export function jsonRenderer(): StreamRenderer {
  let count = 0;
  return {
    add(file, sections) {
      sections.write('files', jsonArrayEntry(FileReportSchema.parse(file), 2, count === 0));
      count++;
    },
    finish(head: ReportHead) {
      const checked = ReportSchema.omit({ files: true }).parse(head);
      return jsonAround({ ...checked, files: count > 0 ? [FILES] : [] }, { files: FILES });
    },
  };
}

export function renderJson(report: Report): string {
  return renderToString(jsonRenderer(), report);
}
