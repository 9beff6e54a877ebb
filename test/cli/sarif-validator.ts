// Validates SARIF against the official 2.1.0 schema (a copy in test/fixtures). That schema is JSON Schema
// draft-04, which Ajv 8 supports through the ajv-draft-04 class; `uri`/`date-time` formats come from
// ajv-formats, so a malformed URI or timestamp fails too.
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FIXTURES } from '../support/fixtures';

export const SARIF_SCHEMA_PATH = join(FIXTURES, 'sarif-schema-2.1.0.json');

let validate: ReturnType<Ajv['compile']> | undefined;

/** The schema's complaints about `log`, one line each; empty when it is valid. */
export function sarifErrors(log: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')) as object);
  }
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
