// The JSON report: the schema in schema.ts, checked on the way out so that what we write is what we
// document (a field that slipped past the schema fails here, in tests, not in a reader's parser).
import type { Report } from './schema';
import { ReportSchema } from './schema';

export function renderJson(report: Report): string {
  return `${JSON.stringify(ReportSchema.parse(report), null, 2)}\n`;
}
