// docs/report-schema.md carries field tables generated from the zod schema; this keeps them equal.
// After changing the schema: UPDATE_DOCS=1 npm test -- report-schema-doc
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reportSchemaFieldTables } from '../../src/engine/report/schema-doc';
import { REPORT_SCHEMA_VERSION } from '../../src/engine/report/schema';

const DOC = join(__dirname, '..', '..', 'docs', 'report-schema.md');
const START = '<!-- fields:start (generated from src/engine/report/schema.ts; do not edit by hand) -->';
const END = '<!-- fields:end -->';

describe('docs/report-schema.md', () => {
  it('documents every field of the current schema version', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    assert.ok(start >= 0 && end > start, 'the generated block markers are in the document');
    const generated = `\n\n${reportSchemaFieldTables()}\n\n`;
    const current = doc.slice(start + START.length, end);
    if (process.env.UPDATE_DOCS === '1' && current !== generated) {
      writeFileSync(DOC, doc.slice(0, start + START.length) + generated + doc.slice(end));
      return;
    }
    assert.equal(current, generated, 'the field tables are out of date: run UPDATE_DOCS=1 npm test -- report-schema-doc');
    assert.match(doc, new RegExp(`schemaVersion\\b[^\\n]*\\b${REPORT_SCHEMA_VERSION}\\b`));
  });
});
